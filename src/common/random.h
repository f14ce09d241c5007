// A small, fast random generator (xoshiro256**) with the few distributions the synthetic
// data needs. Written out here rather than taken from <random> so that the same seed gives
// the same bytes with every standard library.
#pragma once

#include <cmath>
#include <cstdint>

namespace shopstream {

class Rng {
 public:
  explicit Rng(uint64_t seed) {
    for (auto& word : state_) word = SplitMix(seed);
  }

  uint64_t Next() {
    uint64_t result = Rotl(state_[1] * 5, 7) * 9;
    uint64_t t = state_[1] << 17;
    state_[2] ^= state_[0];
    state_[3] ^= state_[1];
    state_[1] ^= state_[2];
    state_[0] ^= state_[3];
    state_[2] ^= t;
    state_[3] = Rotl(state_[3], 45);
    return result;
  }

  // Uniform in [0, 1).
  double Uniform() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }
  // Uniform integer in [0, n); n > 0.
  uint64_t Below(uint64_t n) {
    return static_cast<uint64_t>((static_cast<unsigned __int128>(Next()) * n) >> 64);
  }
  bool Chance(double p) { return Uniform() < p; }
  // Exponential with the given mean.
  double Exponential(double mean) { return -mean * std::log1p(-Uniform()); }
  // Standard normal (Box-Muller; the second value is dropped for simplicity).
  double Normal() {
    double u = 1.0 - Uniform();  // (0, 1]
    return std::sqrt(-2.0 * std::log(u)) * std::cos(6.283185307179586 * Uniform());
  }
  // Geometric on {1, 2, ...} with the given mean (>= 1).
  uint64_t Geometric(double mean) {
    if (mean <= 1.0) return 1;
    double p = 1.0 / mean;
    return 1 + static_cast<uint64_t>(std::log1p(-Uniform()) / std::log1p(-p));
  }
  // An index in [0, n) skewed towards 0: the smaller `power` (< 1), the stronger the skew.
  uint64_t Skewed(uint64_t n, double power) {
    auto i = static_cast<uint64_t>(n * std::pow(Uniform(), 1.0 / power));
    return i < n ? i : n - 1;
  }

 private:
  static uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  static uint64_t SplitMix(uint64_t& x) {
    uint64_t z = (x += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  uint64_t state_[4];
};

// A uniform draw in [0, 1) that depends only on (seed, key): the SplitMix64 output at
// position `key` of the stream `seed`. Threads can draw for records in any order and agree
// with a single-threaded run that keys each record the same way.
inline double KeyedUniform(uint64_t seed, uint64_t key) {
  uint64_t z = seed * 0xD1342543DE82EF95ull + (key + 1) * 0x9E3779B97F4A7C15ull;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  z ^= z >> 31;
  return static_cast<double>(z >> 11) * 0x1.0p-53;
}

}  // namespace shopstream
