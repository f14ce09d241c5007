#include "verify/sql_source.h"

#include <unistd.h>

#include "common/uri.h"
#include "mysql/mysql_database.h"
#include "mysql/mysql_uri.h"
#include "postgres/pg_database.h"
#include "postgres/pg_uri.h"
#include "sqlite/sqlite_database.h"

namespace shopstream::verify {

Result<std::unique_ptr<sql::SqlDatabase>> OpenSqlStore(const std::string& text) {
  auto uri = ParseUri(text);
  if (!uri.ok()) return uri.status();
  if (uri->scheme == "sqlite") {
    if (Status s = uri->CheckParams({"table"}); !s.ok()) return s;
    // Opened read-only, a missing file would be an I/O error: it is the user's input.
    if (::access(uri->path.c_str(), F_OK) != 0) {
      return Status::InvalidArgument("store '" + uri->text + "': no such file");
    }
    return sqlite::MakeSqliteDatabase(uri->path, uri->Param("table", "operations"),
                                      /*read_only=*/true);
  }
  if (uri->scheme == "mysql") {
    auto target = mysql::ParseMysqlUri(*uri);
    if (!target.ok()) return target.status();
    return mysql::MakeMysqlDatabase(std::move(target).value(), /*for_writing=*/false);
  }
  if (uri->scheme == "postgres") {
    auto target = postgres::ParsePostgresUri(*uri);
    if (!target.ok()) return target.status();
    return postgres::MakePostgresDatabase(std::move(target).value());
  }
  return Status::InvalidArgument("'" + uri->text + "': verify reads sqlite://, mysql:// and " +
                                 "postgres:// processed stores, not " + uri->scheme + "://");
}

}  // namespace shopstream::verify
