// MySQL/MariaDB behind the SQL store core: connections over src/mysql (utf8mb4, strict mode,
// UTC), and the rows table's bulk path: one LOAD DATA LOCAL INFILE per batch fed from memory,
// multi-row prepared INSERTs where the server refuses it.
#pragma once

#include <memory>

#include "mysql/mysql_client.h"
#include "mysql/mysql_uri.h"
#include "sql/sql_connection.h"
#include "sql/sql_database.h"

namespace shopstream::mysql {

// Adapts a src/mysql connection to the core's SqlConnection.
std::unique_ptr<sql::SqlConnection> AdaptMysql(std::unique_ptr<mysql::Connection> conn);

// The store `target` names. `for_writing` lets its connections load rows with LOAD DATA LOCAL;
// the dashboard's connections never offer it.
std::unique_ptr<sql::SqlDatabase> MakeMysqlDatabase(mysql::MysqlTarget target, bool for_writing);

}  // namespace shopstream::mysql
