// SQLite behind the SQL store core: connections over src/sqlite (WAL mode, a busy timeout),
// and the rows table's bulk path, row by row in-process.
#pragma once

#include <memory>
#include <string>

#include "sql/sql_connection.h"
#include "sql/sql_database.h"
#include "sqlite/sqlite_client.h"

namespace shopstream::sqlite {

// Adapts a src/sqlite database to the core's SqlConnection.
std::unique_ptr<sql::SqlConnection> AdaptSqlite(std::unique_ptr<sqlite::Database> db);

// The store in the SQLite file `path` whose rows table is `table` (a plain name): created when
// missing for the processed store; opened read-only (and never created) for the dashboard when
// `read_only`.
std::unique_ptr<sql::SqlDatabase> MakeSqliteDatabase(const std::string& path,
                                                     const std::string& table = "operations",
                                                     bool read_only = false);

}  // namespace shopstream::sqlite
