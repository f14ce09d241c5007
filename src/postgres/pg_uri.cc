#include "postgres/pg_uri.h"

#include <cstdlib>

namespace shopstream::postgres {
namespace {

constexpr const char* kPasswordEnv = "SHOPSTREAM_PG_PASSWORD";

}  // namespace

Result<PostgresTarget> ParsePostgresUri(const Uri& uri) {
  const std::string usage = " (postgres://USER@HOST:PORT/DATABASE.SCHEMA.TABLE)";
  if (uri.scheme != "postgres") {
    return Status::InvalidArgument("'" + uri.text + "' is not a postgres:// URI" + usage);
  }
  if (Status s = uri.CheckParams({}); !s.ok()) return s;
  if (uri.host.find(',') != std::string::npos) {
    return Status::InvalidArgument("'" + uri.text + "': give one PostgreSQL server, not a list");
  }
  std::vector<std::string> parts;
  for (size_t start = 0;;) {
    const size_t dot = uri.path.find('.', start);
    parts.push_back(uri.path.substr(start, dot == std::string::npos ? dot : dot - start));
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  if (parts.size() != 1 && parts.size() != 3) {
    return Status::InvalidArgument("'" + uri.text + "' should name a database, or a database, " +
                                   "schema and table" + usage);
  }
  PostgresTarget target;
  ConnectOptions& options = target.options;
  options.database = parts[0];
  options.schema = parts.size() == 3 ? parts[1] : "public";
  target.table = parts.size() == 3 ? parts[2] : "operations";
  if (options.database.empty()) {
    return Status::InvalidArgument("'" + uri.text + "' names no database" + usage);
  }
  for (const std::string* name : {&options.database, &options.schema, &target.table}) {
    if (auto quoted = QuoteIdentifier(*name); !quoted.ok()) {
      return Status::InvalidArgument(uri.text + ": " + quoted.status().message());
    }
  }
  options.host = uri.host;
  options.port = uri.port;
  options.user = uri.user;
  if (const char* password = std::getenv(kPasswordEnv)) options.password = password;
  return target;
}

}  // namespace shopstream::postgres
