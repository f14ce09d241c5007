#include "mysql/mysql_stores.h"

#include "mysql/mysql_database.h"
#include "mysql/mysql_uri.h"
#include "sql/sql_processed_store.h"
#include "sql/sql_query_store.h"

namespace shopstream::mysql {

Result<std::unique_ptr<store::ProcessedStore>> OpenMysqlProcessedStore(const Uri& uri) {
  auto target = mysql::ParseMysqlUri(uri);
  if (!target.ok()) return target.status();
  return sql::MakeSqlProcessedStore(
      mysql::MakeMysqlDatabase(std::move(target).value(), /*for_writing=*/true));
}

Result<std::unique_ptr<query::QueryStore>> OpenMysqlQueryStore(const Uri& uri) {
  auto target = mysql::ParseMysqlUri(uri);
  if (!target.ok()) return target.status();
  return sql::MakeSqlQueryStore(
      mysql::MakeMysqlDatabase(std::move(target).value(), /*for_writing=*/false));
}

}  // namespace shopstream::mysql
