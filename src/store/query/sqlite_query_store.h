// QueryStore over the SQLite processed store (sqlite:///path.db), opened read-only while
// another process writes it in WAL mode. One connection, serialised by a mutex: every query
// reads a bounded number of rollup buckets, so they are short.
#pragma once

#include <memory>
#include <string>

#include "store/query/query_store.h"

namespace shopstream {

// Opens `path` read-only. NotFound when the file does not exist.
Result<std::unique_ptr<QueryStore>> OpenSqliteQueryStore(const std::string& path);

}  // namespace shopstream
