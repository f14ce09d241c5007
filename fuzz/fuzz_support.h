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
