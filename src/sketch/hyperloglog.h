// HyperLogLog: a mergeable estimate of how many distinct things (users, sessions) a set of
// events holds, in at most 12 KiB whatever the count.
//
// Precision 14 (16,384 registers of 6 bits; a standard error of 1.04 / sqrt(16384) = 0.81 %),
// estimated with Ertl's improved estimator ("New cardinality estimation algorithms for
// HyperLogLog sketches", 2017), which needs no bias tables. Small sets stay sparse, as in
// HyperLogLog++: a sorted list of entries at precision 25 (the hash's first 25 bits and the
// rank of the rest), counted by linear counting over 2^25 buckets, so that a minute holding a
// handful of users costs a few bytes and counts them exactly in practice. A sparse sketch turns
// dense when it holds more than kMaxSparseEntries entries; the dense registers it becomes are
// exactly those that adding the same hashes densely would give, so merging is order-free.
//
// Merging is a union: idempotent, commutative and associative. Adding a hash twice, or merging
// a sketch into one that holds it already, changes nothing; this is what lets a replayed batch
// leave the stored sketches as they were.
//
// The serialized form is stored in the rollups and is part of the store's format:
//   ""                              the empty sketch
//   0x01 varint(n) varint(e0) varint(e1 - e0) ...   sparse: n entries, strictly increasing
//   0x02 then 12,288 bytes          dense: register i in bits [6i, 6i + 6), little-endian
// where an entry is (index25 << 6) | rank, rank in 1..40.
// Not thread-safe; values are cheap to copy when sparse.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace shopstream::sketch {

inline constexpr int kPrecision = 14;
inline constexpr int kSparsePrecision = 25;
inline constexpr size_t kRegisters = size_t{1} << kPrecision;
inline constexpr size_t kMaxSparseEntries = 3072;
inline constexpr size_t kDenseBytes = kRegisters * 6 / 8;

// The sparse entry of a 64-bit hash.
uint32_t SparseEntry(uint64_t hash);
// Sorted entries as a sparse sketch keeps them: one per index, the one of the highest rank.
void KeepHighestPerIndex(std::vector<uint32_t>* entries);

class HyperLogLog {
 public:
  HyperLogLog() = default;

  void Add(uint64_t hash) { AddEntry(SparseEntry(hash)); }
  void AddEntry(uint32_t entry);
  // Adds entries in any order, duplicates allowed: one sort, one merge.
  void AddEntries(std::vector<uint32_t> entries);
  // Returns whether this sketch changed (a union that adds nothing leaves it as it was).
  bool Merge(const HyperLogLog& other);

  // The estimated number of distinct hashes added; 0 for the empty sketch.
  double Estimate() const;
  bool empty() const { return sparse_.empty() && registers_.empty(); }
  bool dense() const { return !registers_.empty(); }
  // The heap bytes this sketch holds (what a processor counts against its memory budget).
  size_t heap_bytes() const {
    return sparse_.capacity() * sizeof(uint32_t) + registers_.capacity();
  }

  std::string Serialize() const;
  // Corruption when `bytes` is not a serialized sketch.
  static Result<HyperLogLog> Parse(std::string_view bytes);

  bool operator==(const HyperLogLog&) const = default;

 private:
  // Merges sorted, index-unique `entries` into sparse_, or into the registers.
  bool MergeSorted(std::span<const uint32_t> entries);
  void ToDense();
  bool SetRegister(uint32_t entry);  // whether the register rose

  std::vector<uint32_t> sparse_;    // sorted, one entry per index25 (the highest rank)
  std::vector<uint8_t> registers_;  // kRegisters ranks when dense, else empty
};

}  // namespace shopstream::sketch
