// A stable 64-bit hash for sketches. Sketches are stored and merged across processes, releases
// and machines, so this function is part of the stored format: it never changes, and it does
// not depend on the host's byte order.
#pragma once

#include <cstdint>
#include <string_view>

namespace shopstream::sketch {

// MurmurHash64A (Austin Appleby's public-domain algorithm) over `bytes`, read as little-endian
// words, then MurmurHash3's 64-bit finaliser for full avalanche of short inputs.
uint64_t Hash64(std::string_view bytes, uint64_t seed);

// The same family for one integer: its 8 little-endian bytes.
uint64_t Hash64(int64_t value, uint64_t seed);

// Seeds that keep the hashes of different kinds of things apart.
inline constexpr uint64_t kUserSeed = 0x5eed0001u;
inline constexpr uint64_t kSessionSeed = 0x5eed0002u;

}  // namespace shopstream::sketch
