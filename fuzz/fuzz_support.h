// Helpers of the fuzz targets: a ByteSource over the fuzzer's bytes that hands them out a few
// at a time, so that the CSV readers meet record boundaries at every place of their buffer
// refills, and Fail() for a broken invariant.
#pragma once

#include <algorithm>
#include <cstdio>
#include <string>
#include <string_view>

#include "csv/byte_source.h"

namespace shopstream::fuzz {

class ChunkedSource final : public csv::ByteSource {
 public:
  ChunkedSource(std::string_view data, size_t chunk)
      : data_(data), chunk_(std::max<size_t>(chunk, 1)) {}

  Result<size_t> Read(char* buffer, size_t capacity) override {
    size_t n = std::min({capacity, chunk_, data_.size() - pos_});
    std::copy_n(data_.data() + pos_, n, buffer);
    pos_ += n;
    return n;
  }
  uint64_t bytes_consumed() const override { return pos_; }
  uint64_t total_bytes() const override { return data_.size(); }
  const std::string& name() const override { return name_; }

 private:
  std::string_view data_;
  size_t chunk_;
  size_t pos_ = 0;
  std::string name_ = "fuzz.csv";
};

// Chunk sizes picked by a byte of the input: tiny ones find refill bugs, large ones speed.
inline size_t ChunkSizeFor(unsigned char selector) {
  static constexpr size_t kSizes[] = {1, 2, 3, 5, 7, 16, 64, 4096};
  return kSizes[selector % 8];
}

// Stops the process as a crash would, with a message: a broken invariant is a finding.
[[noreturn]] inline void Fail(const char* what) {
  std::fprintf(stderr, "invariant broken: %s\n", what);
  std::fflush(stderr);
  __builtin_trap();
}

}  // namespace shopstream::fuzz
