// What a processed store says about its pipeline, for `shopstream status`: the offsets it
// committed per stream and partition, the processor's counters per stream, the dead letters
// by reason and the rows it holds. Read-only; a store with no tables yet reads as empty.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "sql/sql_database.h"

namespace shopstream::sql {

struct PartitionOffset {
  std::string stream;
  int32_t partition = 0;
  int64_t next_offset = 0;  // the first offset not yet committed
};

struct StreamCounters {
  std::string stream;
  int64_t batches = 0;
  int64_t events = 0;
  int64_t dead_letters = 0;
  std::optional<int64_t> lag;  // as the processor last saw it
  std::string updated_at;      // the last commit, UTC "YYYY-MM-DD HH:MM:SS"
};

struct DeadLetterReason {
  std::string stream;
  std::string reason;
  int64_t count = 0;
};

struct StoreStatus {
  std::vector<PartitionOffset> offsets;
  std::vector<StreamCounters> streams;
  std::vector<DeadLetterReason> dead_letters;  // most frequent first
  int64_t rows = 0;                            // in the processed rows table
};

Result<StoreStatus> ReadStoreStatus(SqlDatabase& database);

}  // namespace shopstream::sql
