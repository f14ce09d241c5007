// Opens a store by URI scheme, parsing the URI once: sqlite:///PATH (embedded, every role),
// cassandra://... (raw), mysql://... and postgres://... (processed, and read by the dashboard).
#pragma once

#include <memory>
#include <string>

#include "common/status.h"
#include "query/query_store.h"
#include "sql/store_status.h"
#include "store/store.h"

namespace shopstream::endpoints {

Result<std::unique_ptr<store::RawStore>> OpenRawStore(const std::string& uri);
Result<std::unique_ptr<store::ProcessedStore>> OpenProcessedStore(const std::string& uri);
// The dashboard's reader of a processed store, for reading only.
Result<std::unique_ptr<query::QueryStore>> OpenQueryStore(const std::string& uri);
// The pipeline's state as a processed store (sqlite, mysql or postgres) keeps it, read-only.
Result<sql::StoreStatus> ReadProcessedStoreStatus(const std::string& uri);

}  // namespace shopstream::endpoints
