#include "sql/batch_counts.h"

namespace shopstream::sql {
namespace {

// Whether `offset` of `partition` lies at or past what is stored (a partition never stored has
// nothing behind it).
bool IsNew(const OffsetMap& stored, int32_t partition, int64_t offset) {
  const auto it = stored.find(partition);
  return it == stored.end() || offset >= it->second;
}

}  // namespace

BatchCounts CountNew(const store::ProcessedBatch& batch, const OffsetMap& stored) {
  BatchCounts counts;
  for (const auto& [partition, next] : batch.next_offsets) {
    // `next` is past the batch's last message: equal to the stored one is a rerun.
    const auto it = stored.find(partition);
    if (it == stored.end() || next > it->second) counts.batches = 1;
  }
  for (const store::DeadLetter& dead : batch.dead_letters) {
    if (IsNew(stored, dead.partition, dead.offset)) ++counts.dead_letters;
  }
  return counts;
}

}  // namespace shopstream::sql
