// Reads a mysql://USER@HOST:PORT/DATABASE[.TABLE][?option-file=PATH] URI into connection
// options, with the password from $SHOPSTREAM_MYSQL_PASSWORD and the option file from the URI
// or $SHOPSTREAM_MYSQL_OPTION_FILE. Shared by the processed store and the dashboard's reader.
#pragma once

#include <string>

#include "common/status.h"
#include "common/uri.h"
#include "mysql/mysql_client.h"
#include "mysql/mysql_hosts.h"

namespace shopstream::mysql {

struct MysqlTarget {
  ConnectOptions options;
  std::string table;  // the rows table, a plain name (checked); operations by default
  // Every server of the URI (options.host/port hold the first): the store uses one and moves
  // to the next when it fails or leaves Galera's primary component.
  std::vector<HostPort> hosts;
};

// InvalidArgument for another scheme, a malformed server list, a missing database or a name that is
// not plain.
Result<MysqlTarget> ParseMysqlUri(const Uri& uri);

}  // namespace shopstream::mysql
