#include "store/mysql/mysql_stores.h"

#include "store/mysql/mysql_database.h"
#include "store/mysql/mysql_uri.h"
#include "store/sql/sql_processed_store.h"
#include "store/sql/sql_query_store.h"

namespace shopstream {

Result<std::unique_ptr<ProcessedStore>> OpenMysqlProcessedStore(const Uri& uri) {
  auto target = mysql::ParseMysqlUri(uri);
  if (!target.ok()) return target.status();
  return sql::MakeSqlProcessedStore(
      sql::MakeMysqlDatabase(std::move(target).value(), /*for_writing=*/true));
}

Result<std::unique_ptr<QueryStore>> OpenMysqlQueryStore(const Uri& uri) {
  auto target = mysql::ParseMysqlUri(uri);
  if (!target.ok()) return target.status();
  return sql::MakeSqlQueryStore(
      sql::MakeMysqlDatabase(std::move(target).value(), /*for_writing=*/false));
}

}  // namespace shopstream
