#include "verify/sql_source.h"

#include <unistd.h>

#include "common/uri.h"
#include "store/mysql/mysql_database.h"
#include "store/mysql/mysql_uri.h"
#include "store/postgres/pg_database.h"
#include "store/postgres/pg_uri.h"
#include "store/sqlite/sqlite_database.h"

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
    return sql::MakeSqliteDatabase(uri->path, uri->Param("table", "operations"),
                                   /*read_only=*/true);
  }
  if (uri->scheme == "mysql") {
    auto target = mysql::ParseMysqlUri(*uri);
    if (!target.ok()) return target.status();
    return sql::MakeMysqlDatabase(std::move(target).value(), /*for_writing=*/false);
  }
  if (uri->scheme == "postgres") {
    auto target = postgres::ParsePostgresUri(*uri);
    if (!target.ok()) return target.status();
    return sql::MakePostgresDatabase(std::move(target).value());
  }
  return Status::InvalidArgument("'" + uri->text + "': verify reads sqlite://, mysql:// and " +
                                 "postgres:// processed stores, not " + uri->scheme + "://");
}

}  // namespace shopstream::verify
