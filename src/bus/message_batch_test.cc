#include "bus/message_batch.h"

#include <gtest/gtest.h>

#include <algorithm>
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
  size_t packed = 0;  // payloads that start where the one before ends
  for (size_t i = 0; i < expected.size(); ++i) {
    ASSERT_EQ(batch[i].payload, expected[i]) << i;
    const char* end = batch[i].payload.data() + batch[i].payload.size();
    const bool next_follows = i + 1 < expected.size() && batch[i + 1].payload.data() == end;
    packed += next_follows;
    // The padding is the next payload's bytes where it follows, zeros where none does (the
    // last payload of a block); either way readable (ASan would catch a read past the block).
    std::string after(end, MessageBatch::kPayloadPadding);
    if (!next_follows) {
      ASSERT_EQ(after, std::string(MessageBatch::kPayloadPadding, '\0')) << i;
    } else {
      ASSERT_EQ(after.substr(0, std::min(after.size(), expected[i + 1].size())),
                expected[i + 1].substr(0, after.size()))
          << i;
    }
  }
  EXPECT_GT(packed, expected.size() * 9 / 10);  // no padding between payloads of a block
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
