#include "bus/message_batch.h"

#include <gtest/gtest.h>

#include <string>

namespace shopstream::bus {
namespace {

TEST(MessageBatch, KeepsPayloadsAndTheirPaddingAcrossBlocks) {
  MessageBatch batch;
  const std::string big(3 << 20, 'x');  // larger than a block: a block of its own
  std::vector<std::string> expected;
  for (int i = 0; i < 10000; ++i) {
    expected.push_back("message " + std::to_string(i) + std::string(i % 300, 'y'));
    batch.Add(i % 3, i, expected.back());
    if (i == 5000) {
      batch.Add(7, -1, big);
      expected.push_back(big);
    }
  }
  ASSERT_EQ(batch.size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    ASSERT_EQ(batch[i].payload, expected[i]) << i;
    const char* end = batch[i].payload.data() + batch[i].payload.size();
    for (size_t k = 0; k < MessageBatch::kPayloadPadding; ++k) ASSERT_EQ(end[k], '\0');
  }
  EXPECT_EQ(batch[0].partition, 0);
  EXPECT_EQ(batch[10].offset, 10);
}

TEST(MessageBatch, MovedBatchKeepsItsViews) {
  MessageBatch batch;
  batch.Add(0, 1, "first");
  batch.Add(0, 2, "");
  const char* at = batch[0].payload.data();
  MessageBatch moved = std::move(batch);
  EXPECT_EQ(moved[0].payload.data(), at);
  EXPECT_EQ(moved[0].payload, "first");
  EXPECT_EQ(moved[1].payload, "");
}

TEST(MessageBatch, ClearedBatchReusesItsMemory) {
  MessageBatch batch;
  batch.Add(0, 0, "one");
  const char* first = batch[0].payload.data();
  batch.Clear();
  EXPECT_TRUE(batch.empty());
  batch.Add(1, 5, "two");
  EXPECT_EQ(batch[0].payload.data(), first);
  EXPECT_EQ(batch[0].payload, "two");
  EXPECT_EQ(batch[0].partition, 1);
}

}  // namespace
}  // namespace shopstream::bus
