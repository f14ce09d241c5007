// The servers of a mysql:// URI: one host[:port], or a comma list of them for a Galera
// cluster (mysql://admin@127.0.0.1:13306,127.0.0.2:13306/ecommerce.operations).
#pragma once

#include <string>
#include <vector>

#include "common/status.h"
#include "common/uri.h"

namespace shopstream::mysql {

struct HostPort {
  std::string host;
  int port = 0;  // 0: the option file's or 3306
};

// InvalidArgument, in one line naming the URI, for an empty entry, a bad port or a host given
// twice.
Result<std::vector<HostPort>> ParseMysqlHosts(const Uri& uri);

}  // namespace shopstream::mysql
