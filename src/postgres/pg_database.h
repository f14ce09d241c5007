// PostgreSQL behind the SQL store core: connections over src/postgres (UTF-8, UTC, the URI's
// schema as search_path), and the rows table's bulk path: one COPY FROM STDIN per batch.
#pragma once

#include <memory>

#include "postgres/pg_client.h"
#include "postgres/pg_uri.h"
#include "sql/sql_connection.h"
#include "sql/sql_database.h"

namespace shopstream::postgres {

// Adapts a src/postgres connection to the core's SqlConnection.
std::unique_ptr<sql::SqlConnection> AdaptPostgres(std::unique_ptr<postgres::Connection> conn);

std::unique_ptr<sql::SqlDatabase> MakePostgresDatabase(postgres::PostgresTarget target);

}  // namespace shopstream::postgres
