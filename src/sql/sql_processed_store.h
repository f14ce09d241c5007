// The processed store for every SQL database, written once: the seed's rows, the rollups, dead
// letters, offsets of record and processor stats in one transaction per batch (see
// ProcessedStore in store/store.h for the promises). A database supplies only what differs: its
// dialect, its connections and its bulk path into the rows table (sql_database.h).
#pragma once

#include <chrono>
#include <memory>

#include "sql/sql_database.h"
#include "store/store.h"

namespace shopstream::sql {

struct SqlProcessedStoreOptions {
  // How long a commit spends at most on the people write-back under way (a round of rows at
  // least), beside its batch: what the write-back adds to a batch's latency.
  std::chrono::milliseconds people_piece{100};
  // A write-back starts this long after the first people held since the last one (or once they
  // outgrow their bounds, when the stream is quiet, and before stopping).
  std::chrono::milliseconds people_interval{5000};
};

// Connects lazily and again after a lost connection. Not thread-safe (the processor calls it
// from one thread at a time).
std::unique_ptr<store::ProcessedStore> MakeSqlProcessedStore(std::unique_ptr<SqlDatabase> database,
                                                             SqlProcessedStoreOptions options = {});

}  // namespace shopstream::sql
