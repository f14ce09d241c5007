#include "sql/batch_counts.h"

#include <gtest/gtest.h>

namespace shopstream::sql {
namespace {

store::ProcessedBatch Batch(OffsetMap next, std::vector<std::pair<int32_t, int64_t>> dead) {
  store::ProcessedBatch batch;
  batch.stream = "s";
  batch.next_offsets = std::move(next);
  for (const auto& [partition, offset] : dead)
    batch.dead_letters.push_back({partition, offset, "", "", "", ""});
  return batch;
}

TEST(CountNew, AFirstBatchCountsWithAllItsDeadLetters) {
  const BatchCounts c = CountNew(Batch({{0, 10}, {1, 4}}, {{0, 2}, {1, 3}}), {});
  EXPECT_EQ(c.batches, 1);
  EXPECT_EQ(c.dead_letters, 2);
}

TEST(CountNew, ARetryAfterALostCommitAnswerAddsNothing) {
  const store::ProcessedBatch batch = Batch({{0, 10}, {1, 4}}, {{0, 2}, {1, 3}});
  const BatchCounts c = CountNew(batch, batch.next_offsets);
  EXPECT_EQ(c.batches, 0);
  EXPECT_EQ(c.dead_letters, 0);
}

TEST(CountNew, TheRowOnlyPartsOfABisectedBatchAddNothing) {
  const BatchCounts c = CountNew(Batch({}, {}), {{0, 5}});
  EXPECT_EQ(c.batches, 0);
  EXPECT_EQ(c.dead_letters, 0);
}

TEST(CountNew, OnlyWhatLiesPastTheStoredOffsetsCounts) {
  // Partition 0 was moved on by another member; partition 1 is new to the store.
  const BatchCounts c = CountNew(Batch({{0, 8}, {1, 4}}, {{0, 6}, {0, 7}, {1, 0}}), {{0, 7}});
  EXPECT_EQ(c.batches, 1);
  EXPECT_EQ(c.dead_letters, 2);  // offset 7 of partition 0 and offset 0 of partition 1
  const BatchCounts behind = CountNew(Batch({{0, 5}}, {{0, 4}}), {{0, 7}});
  EXPECT_EQ(behind.batches, 0);
  EXPECT_EQ(behind.dead_letters, 0);
}

}  // namespace
}  // namespace shopstream::sql
