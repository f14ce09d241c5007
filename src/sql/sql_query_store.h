// The dashboard's read side for every SQL database, written once (QueryStore in
// query/query_store.h): aggregate queries over the rollup tables with every value bound,
// spelled in the database's dialect, on a small pool of connections that the HTTP threads share.
// A connection lost mid-query is dropped and the query runs once more on a new one.
#pragma once

#include <memory>

#include "query/query_store.h"
#include "sql/sql_database.h"

namespace shopstream::sql {

// `database` connects for reading only. Connects once now: InvalidArgument when the server
// refuses the credentials or the database; a server that cannot be reached is only logged, and
// queries return Unavailable until it is back.
Result<std::unique_ptr<query::QueryStore>> MakeSqlQueryStore(std::unique_ptr<SqlDatabase> database);

}  // namespace shopstream::sql
