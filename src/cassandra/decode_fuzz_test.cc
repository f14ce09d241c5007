// Feeds random and truncated bytes to every decoder: they must return an error or a value,
// never crash, hang or allocate without bound (run under the sanitizers in CI builds).
#include <gtest/gtest.h>

#include <random>

#include "cassandra/frame.h"
#include "cassandra/messages.h"

namespace shopstream::cassandra {
namespace {

void DecodeEverything(std::string_view bytes) {
  (void)DecodeFrame(bytes);
  (void)FrameSizeIfKnown(bytes);
  (void)DecodeResult(bytes);
  (void)DecodeError(bytes);
  (void)DecodeAuthenticate(bytes);
  (void)DecodeSupported(bytes);
  ResponseExtras extras;
  (void)StripResponseExtras(0x0F, bytes, &extras);
  Reader r(bytes);
  (void)ReadColumnType(r);
}

TEST(CqlDecodeFuzz, RandomBytes) {
  std::mt19937 rng(20191108);
  for (int i = 0; i < 20000; ++i) {
    std::string bytes(rng() % 96, '\0');
    for (char& c : bytes) c = static_cast<char>(rng());
    DecodeEverything(bytes);
  }
}

TEST(CqlDecodeFuzz, RandomBytesAfterAValidPrefix) {
  // Random tails behind plausible kinds and flags reach the deeper parsing paths.
  std::mt19937 rng(42);
  const std::string prefixes[] = {
      std::string("\0\0\0\2\0\0\0\1\0\0\0\3", 12),  // Rows, global spec, 3 columns
      std::string("\0\0\0\2\0\0\0\4\0\0\0\2", 12),  // Rows, no metadata
      std::string("\0\0\0\4\0\1x", 7),              // Prepared
      std::string("\0\0\0\5", 4),                   // Schema change
      std::string("\0\0\x10\0", 4),                 // Unavailable error
  };
  for (int i = 0; i < 20000; ++i) {
    std::string bytes = prefixes[i % 5];
    size_t tail = rng() % 64;
    for (size_t k = 0; k < tail; ++k) bytes += static_cast<char>(rng() % 4 == 0 ? 0 : rng());
    DecodeEverything(bytes);
  }
}

TEST(CqlDecodeFuzz, HugeCountsAreRejectedBeforeAllocating) {
  // Rows claiming 2^30 rows of 2^20 columns in a few bytes.
  std::string body("\0\0\0\2\0\0\0\4\0\x10\0\0\x40\0\0\0", 16);
  auto r = DecodeResult(body);
  EXPECT_EQ(r.status().code(), StatusCode::kCorruption);
  // Zero columns and a huge row count.
  std::string zero("\0\0\0\2\0\0\0\4\0\0\0\0\x03\xff\xff\xff", 16);
  EXPECT_FALSE(DecodeResult(zero).ok());
  // A column type nested a thousand lists deep.
  std::string deep;
  for (int i = 0; i < 1000; ++i) deep += std::string("\0\x20", 2);
  Reader reader(deep);
  (void)ReadColumnType(reader);
  EXPECT_FALSE(reader.ok());
}

}  // namespace
}  // namespace shopstream::cassandra
