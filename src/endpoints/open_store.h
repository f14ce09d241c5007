// Opens a store by URI scheme, parsing the URI once: sqlite:///PATH (embedded, every role),
// cassandra://... (raw), mysql://... and postgres://... (processed, and read by the dashboard).
#pragma once

#include <memory>
#include <string>

#include "common/status.h"
#include "query/query_store.h"
#include "sql/dead_letter_table.h"
#include "sql/sql_database.h"
#include "sql/store_status.h"
#include "store/store.h"

namespace shopstream::endpoints {

Result<std::unique_ptr<store::RawStore>> OpenRawStore(const std::string& uri);
Result<std::unique_ptr<store::ProcessedStore>> OpenProcessedStore(const std::string& uri);
// The dashboard's reader of a processed store, for reading only.
Result<std::unique_ptr<query::QueryStore>> OpenQueryStore(const std::string& uri);
// A processed store's database (sqlite, mysql or postgres) opened for reading only, for the
// tools that read its tables directly (status, verify). A sqlite file that does not exist is
// InvalidArgument (the user's input), not the I/O error a read-only open would give.
Result<std::unique_ptr<sql::SqlDatabase>> OpenSqlDatabaseForReading(const std::string& uri);
// The dead letters of a processed store (sqlite, mysql or postgres), for `deadletters`: NotFound
// when it has none (never processed into). Not `writable`: for reading only (a SQLite file opened
// read-only), so that listing needs no write access.
Result<std::unique_ptr<sql::DeadLetterTable>> OpenDeadLetterTable(const std::string& uri,
                                                                  bool writable);
// The pipeline's state as a processed store (sqlite, mysql or postgres) keeps it, read-only.
Result<sql::StoreStatus> ReadProcessedStoreStatus(const std::string& uri);

}  // namespace shopstream::endpoints
