// What a commit adds to processor_stats' batches and dead_letters. A batch is counted when it
// moves some partition's stored offset forward, and a dead letter when its offset lies at or
// past its partition's stored one: a commit retried after a lost COMMIT answer, a batch replayed
// after a rebalance, and the row-only parts of a bisected batch (no offsets) add nothing.
#pragma once

#include <cstdint>

#include "common/offsets.h"
#include "store/store.h"

namespace shopstream::sql {

struct BatchCounts {
  int64_t batches = 0;  // 0 or 1
  int64_t dead_letters = 0;
};

// `stored`: the stream's offsets before this commit.
BatchCounts CountNew(const store::ProcessedBatch& batch, const OffsetMap& stored);

}  // namespace shopstream::sql
