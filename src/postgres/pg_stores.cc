#include "postgres/pg_stores.h"

#include "postgres/pg_database.h"
#include "postgres/pg_uri.h"
#include "sql/sql_processed_store.h"
#include "sql/sql_query_store.h"

namespace shopstream::postgres {

Result<std::unique_ptr<store::ProcessedStore>> OpenPostgresProcessedStore(const Uri& uri) {
  auto target = postgres::ParsePostgresUri(uri);
  if (!target.ok()) return target.status();
  return sql::MakeSqlProcessedStore(postgres::MakePostgresDatabase(std::move(target).value()));
}

Result<std::unique_ptr<query::QueryStore>> OpenPostgresQueryStore(const Uri& uri) {
  auto target = postgres::ParsePostgresUri(uri);
  if (!target.ok()) return target.status();
  return sql::MakeSqlQueryStore(postgres::MakePostgresDatabase(std::move(target).value()));
}

}  // namespace shopstream::postgres
