#include "store/postgres/pg_stores.h"

#include "store/postgres/pg_database.h"
#include "store/postgres/pg_uri.h"
#include "store/sql/sql_processed_store.h"
#include "store/sql/sql_query_store.h"

namespace shopstream {

Result<std::unique_ptr<ProcessedStore>> OpenPostgresProcessedStore(const Uri& uri) {
  auto target = postgres::ParsePostgresUri(uri);
  if (!target.ok()) return target.status();
  return sql::MakeSqlProcessedStore(sql::MakePostgresDatabase(std::move(target).value()));
}

Result<std::unique_ptr<QueryStore>> OpenPostgresQueryStore(const Uri& uri) {
  auto target = postgres::ParsePostgresUri(uri);
  if (!target.ok()) return target.status();
  return sql::MakeSqlQueryStore(sql::MakePostgresDatabase(std::move(target).value()));
}

}  // namespace shopstream
