// Endpoints are URIs, one scheme per kind of system:
//   sqlite:///abs/path.db  sqlite://rel/path.db  kafka://host:port/topic
//   cassandra://host:port/keyspace.table  mysql://user@host:port/database.table
#pragma once

#include <map>
#include <string>

#include "common/status.h"

namespace shopstream {

struct Uri {
  std::string scheme;  // lower case, e.g. "sqlite"
  std::string user;    // before '@', may be empty; never a password
  std::string host;    // may be a comma-separated list of host:port for clusters
  int port = 0;        // 0 when not given
  std::string path;    // without the leading '/' for network schemes; a file path for sqlite
  std::map<std::string, std::string> query;
  std::string text;  // the URI as given, for messages

  // Returns "" when absent.
  std::string Param(const std::string& key, const std::string& fallback = "") const;
};

// Parses a URI. A password in the URI ("user:secret@") is refused so that secrets never
// travel on the command line.
Result<Uri> ParseUri(const std::string& text);

}  // namespace shopstream
