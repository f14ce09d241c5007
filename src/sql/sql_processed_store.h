// The processed store for every SQL database, written once: the seed's rows, the rollups, dead
// letters, offsets of record and processor stats in one transaction per batch (see
// ProcessedStore in store/store.h for the promises). A database supplies only what differs: its
// dialect, its connections and its bulk path into the rows table (sql_database.h).
#pragma once

#include <memory>

#include "sql/sql_database.h"
#include "store/store.h"

namespace shopstream::sql {

// Connects lazily and again after a lost connection. Not thread-safe (the processor calls it
// from one thread at a time).
std::unique_ptr<store::ProcessedStore> MakeSqlProcessedStore(std::unique_ptr<SqlDatabase> database);

}  // namespace shopstream::sql
