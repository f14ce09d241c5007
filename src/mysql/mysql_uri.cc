#include "mysql/mysql_uri.h"

#include <cstdlib>

namespace shopstream::mysql {
namespace {

constexpr const char* kPasswordEnv = "SHOPSTREAM_MYSQL_PASSWORD";
constexpr const char* kOptionFileEnv = "SHOPSTREAM_MYSQL_OPTION_FILE";
constexpr const char* kDefaultTable = "operations";

}  // namespace

Result<MysqlTarget> ParseMysqlUri(const Uri& uri) {
  if (uri.scheme != "mysql") {
    return Status::InvalidArgument("'" + uri.text + "' is not a mysql:// URI");
  }
  if (Status s = uri.CheckParams({"option-file"}); !s.ok()) return s;
  auto hosts = ParseMysqlHosts(uri);
  if (!hosts.ok()) return hosts.status();
  const auto dot = uri.path.find('.');
  const std::string database = uri.path.substr(0, dot);
  const std::string table = dot == std::string::npos ? kDefaultTable : uri.path.substr(dot + 1);
  if (database.empty()) {
    return Status::InvalidArgument("'" + uri.text +
                                   "' names no database (mysql://USER@HOST:PORT/DATABASE.TABLE)");
  }
  auto quoted_db = QuoteIdentifier(database);
  if (!quoted_db.ok())
    return Status::InvalidArgument(uri.text + ": " + quoted_db.status().message());
  auto quoted_table = QuoteIdentifier(table);
  if (!quoted_table.ok()) {
    return Status::InvalidArgument(uri.text + ": " + quoted_table.status().message());
  }

  MysqlTarget target;
  ConnectOptions& options = target.options;
  options.host = (*hosts)[0].host;
  options.port = (*hosts)[0].port;
  target.hosts = std::move(hosts).value();
  options.user = uri.user;
  options.database = database;
  if (const char* password = std::getenv(kPasswordEnv)) options.password = password;
  options.option_file = uri.Param("option-file");
  if (options.option_file.empty()) {
    if (const char* file = std::getenv(kOptionFileEnv)) options.option_file = file;
  }
  target.table = table;
  return target;
}

}  // namespace shopstream::mysql
