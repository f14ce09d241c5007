#include "sketch/hyperloglog.h"

#include <gtest/gtest.h>

#include <cmath>

#include "sketch/hash64.h"

namespace shopstream::sketch {
namespace {

HyperLogLog Of(int64_t from, int64_t to, uint64_t seed = kUserSeed) {
  HyperLogLog h;
  for (int64_t i = from; i < to; ++i) h.Add(Hash64(i, seed));
  return h;
}

double RelativeError(const HyperLogLog& h, double exact) {
  return std::abs(h.Estimate() - exact) / exact;
}

// The hash is part of the stored format: these values never change.
TEST(Hash64, IsStable) {
  EXPECT_EQ(Hash64(std::string_view(""), 0), Hash64(std::string_view(""), 0));
  EXPECT_NE(Hash64(int64_t{1}, kUserSeed), Hash64(int64_t{1}, kSessionSeed));
  EXPECT_NE(Hash64(std::string_view("abc"), 1), Hash64(std::string_view("abd"), 1));
  EXPECT_EQ(Hash64(int64_t{512000000}, kUserSeed), 10121637709537090692ull);
  EXPECT_EQ(Hash64(std::string_view("26dd6e6e-4dac-4778-8d2c-92e149dab885"), kSessionSeed),
            16757104319497858442ull);
}

TEST(HyperLogLog, EmptyCountsNothing) {
  HyperLogLog h;
  EXPECT_TRUE(h.empty());
  EXPECT_EQ(h.Estimate(), 0);
  EXPECT_EQ(h.Serialize(), "");
  auto parsed = HyperLogLog::Parse("");
  ASSERT_TRUE(parsed.ok());
  EXPECT_TRUE(parsed->empty());
}

TEST(HyperLogLog, SmallSetsAreSparseAndCountedExactly) {
  for (int64_t n : {1, 2, 10, 100, 1000, 3000}) {
    HyperLogLog h = Of(0, n);
    EXPECT_FALSE(h.dense()) << n;
    EXPECT_EQ(std::llround(h.Estimate()), n);
    // A few bytes per entry.
    EXPECT_LE(h.Serialize().size(), 8 + 4 * static_cast<size_t>(n));
  }
}

TEST(HyperLogLog, LargeSetsStayWithinTwoPercent) {
  for (int64_t n : {3100, 5000, 10000, 50000, 200000, 1000000}) {
    HyperLogLog h = Of(0, n);
    EXPECT_TRUE(h.dense()) << n;
    EXPECT_LT(RelativeError(h, static_cast<double>(n)), 0.02) << n << ": " << h.Estimate();
    EXPECT_EQ(h.Serialize().size(), 1 + kDenseBytes);
  }
}

TEST(HyperLogLog, DuplicatesCountOnce) {
  HyperLogLog h = Of(0, 500);
  for (int64_t i = 0; i < 500; ++i) h.Add(Hash64(i, kUserSeed));
  EXPECT_EQ(std::llround(h.Estimate()), 500);
}

// A union of parts is the sketch of the whole, whatever the order and however the parts
// turned dense: the sparse-to-dense conversion gives exactly the dense registers.
TEST(HyperLogLog, MergeIsOrderFree) {
  const HyperLogLog whole = Of(0, 40000);
  HyperLogLog forward, backward;
  for (int64_t part = 0; part < 40; ++part) forward.Merge(Of(part * 1000, part * 1000 + 1000));
  for (int64_t part = 39; part >= 0; --part) backward.Merge(Of(part * 1000, part * 1000 + 1000));
  EXPECT_EQ(forward, whole);
  EXPECT_EQ(backward, whole);

  HyperLogLog sparse_into_dense = Of(0, 30000);
  sparse_into_dense.Merge(Of(30000, 40000));
  EXPECT_EQ(sparse_into_dense, whole);
  HyperLogLog dense_into_sparse = Of(30000, 30010);
  dense_into_sparse.Merge(Of(0, 40000));
  EXPECT_EQ(dense_into_sparse, whole);
}

TEST(HyperLogLog, MergingAgainChangesNothing) {
  for (int64_t n : {50, 50000}) {
    HyperLogLog h = Of(0, n);
    const std::string before = h.Serialize();
    h.Merge(Of(0, n));
    h.Merge(Of(n / 2, n));
    EXPECT_EQ(h.Serialize(), before) << n;
  }
}

// Found by fuzz/sketch_parse: a 64-bit delta wrapped the running entry round to a smaller one.
TEST(HyperLogLog, ParseRefusesEntriesThatWrapAround) {
  // Entries 20000, then 20000 + (2^64 - 10368), which wrapped to 9632: smaller, yet accepted.
  const std::string wraps("\x01\x02\xa0\x9c\x01\x80\xaf\xff\xff\xff\xff\xff\xff\xff\x01", 15);
  EXPECT_FALSE(HyperLogLog::Parse(wraps).ok());
}

// A sparse entry of 0xFFFFFFC1: index25 2^26 - 1, far past 2^25. Parse accepted it, and
// merging it into a dense sketch wrote past the registers (AddressSanitizer).
TEST(HyperLogLog, ParseRefusesIndexesOutOfRange) {
  const std::string out_of_range("\x01\x01\xc1\xff\xff\xff\x0f", 7);
  auto parsed = HyperLogLog::Parse(out_of_range);
  if (parsed.ok()) {
    HyperLogLog dense = Of(0, 50000);
    ASSERT_TRUE(dense.dense());
    dense.Merge(*parsed);
  }
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.status().code(), StatusCode::kCorruption);
  // The first entry past the last index is refused; the last index is kept.
  const std::string first_past("\x01\x01\x81\x80\x80\x80\x08", 7);  // 2^31 + 1
  EXPECT_FALSE(HyperLogLog::Parse(first_past).ok());
  const std::string last("\x01\x01\xc1\xff\xff\xff\x07", 7);  // 2^31 - 63
  auto kept = HyperLogLog::Parse(last);
  ASSERT_TRUE(kept.ok()) << kept.status().ToString();
  HyperLogLog dense = Of(0, 50000);
  dense.Merge(*kept);
  EXPECT_EQ(HyperLogLog::Parse(dense.Serialize()).value(), dense);
}

// The store writes a sketch back only when merging changed it.
TEST(HyperLogLog, MergeSaysWhetherItChanged) {
  for (int64_t n : {50, 50000}) {  // sparse, dense
    HyperLogLog h = Of(0, n);
    EXPECT_FALSE(h.Merge(Of(0, n))) << n;
    EXPECT_FALSE(h.Merge(Of(n / 2, n))) << n;  // a sparse part of a dense sketch too
    EXPECT_FALSE(h.Merge(HyperLogLog())) << n;
    const std::string before = h.Serialize();
    EXPECT_TRUE(h.Merge(Of(n, n + 1000))) << n;
    EXPECT_NE(h.Serialize(), before) << n;
  }
  HyperLogLog sparse = Of(0, 10);
  EXPECT_TRUE(sparse.Merge(Of(0, 50000))) << "turning dense is a change";
  EXPECT_TRUE(sparse.dense());
}

TEST(HyperLogLog, AddEntriesEqualsAddingOneByOne) {
  std::vector<uint32_t> entries;
  for (int64_t i = 0; i < 2000; ++i) entries.push_back(SparseEntry(Hash64(i % 1500, kUserSeed)));
  HyperLogLog batch;
  batch.AddEntries(entries);
  EXPECT_EQ(batch, Of(0, 1500));
}

TEST(HyperLogLog, SerializedFormRoundTrips) {
  for (int64_t n : {1, 700, 3072, 3073, 100000}) {
    const HyperLogLog h = Of(0, n, kSessionSeed);
    auto parsed = HyperLogLog::Parse(h.Serialize());
    ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
    EXPECT_EQ(*parsed, h) << n;
    EXPECT_EQ(parsed->Estimate(), h.Estimate());
  }
}

TEST(HyperLogLog, CorruptBytesAreRefused) {
  const std::string sparse = Of(0, 10).Serialize();
  const std::string dense = Of(0, 10000).Serialize();
  for (const std::string& bad :
       {std::string("\x03"), std::string("\x01"), sparse.substr(0, sparse.size() - 1), sparse + "x",
        dense.substr(0, 100), std::string("\x01\x02\x05\x00", 4),
        std::string("\x02") + std::string(kDenseBytes, '\xff')}) {
    auto parsed = HyperLogLog::Parse(bad);
    EXPECT_FALSE(parsed.ok());
    if (!parsed.ok()) {
      EXPECT_EQ(parsed.status().code(), StatusCode::kCorruption);
    }
  }
}

}  // namespace
}  // namespace shopstream::sketch
