// The stored form of a HyperLogLog sketch (sketch/hyperloglog.h) on any bytes, as a damaged or
// hand-edited people table could hold them: Parse returns a sketch or a Corruption status,
// never crashes or allocates without bound. A sketch that parses serializes to a form that
// parses to the same sketch, estimates a finite count, merging it into itself changes
// nothing, and merging it into a dense sketch (as the store's people rows do) stays within the
// registers and keeps what the dense sketch held.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz/fuzz_support.h"
#include "sketch/hyperloglog.h"

using shopstream::sketch::HyperLogLog;

namespace {

// A dense sketch of 20,000 hashes: every sparse entry a parsed sketch holds lands in it.
HyperLogLog Dense() {
  HyperLogLog h;
  for (uint64_t i = 0; i < 20000; ++i) h.Add(i * 0x9E3779B97F4A7C15ull);
  return h;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  auto parsed = HyperLogLog::Parse(bytes);
  if (!parsed.ok()) return 0;
  auto again = HyperLogLog::Parse(parsed->Serialize());
  if (!again.ok() || !(*again == *parsed))
    shopstream::fuzz::Fail("a sketch's own form parses differently");
  const double estimate = parsed->Estimate();
  if (!std::isfinite(estimate) || estimate < 0)
    shopstream::fuzz::Fail("an estimate that is not a count");
  HyperLogLog copy = *parsed;
  if (copy.Merge(*parsed)) shopstream::fuzz::Fail("merging a sketch into itself changed it");
  static const HyperLogLog dense = Dense();
  HyperLogLog merged = dense;
  merged.Merge(*parsed);
  if (!merged.dense() || merged.Merge(dense))
    shopstream::fuzz::Fail("a merge into a dense sketch lost what it held");
  return 0;
}
