#include "sketch/hash64.h"

namespace shopstream::sketch {
namespace {

constexpr uint64_t kMul = 0xc6a4a7935bd1e995ull;
constexpr int kShift = 47;

uint64_t LoadLittleEndian(const unsigned char* p, size_t n) {
  uint64_t v = 0;
  for (size_t i = 0; i < n; ++i) v |= static_cast<uint64_t>(p[i]) << (8 * i);
  return v;
}

uint64_t Finalise(uint64_t h) {
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdull;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ull;
  h ^= h >> 33;
  return h;
}

}  // namespace

uint64_t Hash64(std::string_view bytes, uint64_t seed) {
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  const size_t n = bytes.size();
  uint64_t h = seed ^ (static_cast<uint64_t>(n) * kMul);
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t k = LoadLittleEndian(p + i, 8);
    k *= kMul;
    k ^= k >> kShift;
    k *= kMul;
    h ^= k;
    h *= kMul;
  }
  if (i < n) {
    h ^= LoadLittleEndian(p + i, n - i);
    h *= kMul;
  }
  h ^= h >> kShift;
  h *= kMul;
  h ^= h >> kShift;
  return Finalise(h);
}

uint64_t Hash64(int64_t value, uint64_t seed) {
  unsigned char bytes[8];
  const auto v = static_cast<uint64_t>(value);
  for (int i = 0; i < 8; ++i) bytes[i] = static_cast<unsigned char>(v >> (8 * i));
  return Hash64(std::string_view(reinterpret_cast<const char*>(bytes), 8), seed);
}

}  // namespace shopstream::sketch
