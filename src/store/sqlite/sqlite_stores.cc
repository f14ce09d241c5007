#include "store/sqlite/sqlite_stores.h"

#include "store/sql/sql_processed_store.h"
#include "store/sqlite/sqlite_database.h"

namespace shopstream {

Result<std::unique_ptr<ProcessedStore>> OpenSqliteProcessedStore(const std::string& path) {
  return sql::MakeSqlProcessedStore(sql::MakeSqliteDatabase(path));
}

}  // namespace shopstream
