#include "sketch/hyperloglog.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>

namespace shopstream::sketch {
namespace {

constexpr int kRankBits = 6;
constexpr uint32_t kRankMask = (1u << kRankBits) - 1;
constexpr int kIndexGap = kSparsePrecision - kPrecision;   // 11 bits between the precisions
constexpr int kMaxSparseRank = 64 - kSparsePrecision + 1;  // 40
constexpr int kMaxRank = 64 - kPrecision + 1;              // 51
// An entry's index25 sits above its 6 rank bits, so every entry is below 2^31.
constexpr uint64_t kEntryLimit = uint64_t{1} << (kSparsePrecision + kRankBits);
constexpr uint8_t kSparseTag = 0x01;
constexpr uint8_t kDenseTag = 0x02;

uint32_t IndexOf(uint32_t entry) { return entry >> kRankBits; }
uint32_t RankOf(uint32_t entry) { return entry & kRankMask; }

void PutVarint(uint64_t v, std::string* out) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

bool GetVarint(std::string_view* in, uint64_t* v) {
  *v = 0;
  for (int shift = 0; shift < 64 && !in->empty(); shift += 7) {
    const auto byte = static_cast<uint8_t>(in->front());
    in->remove_prefix(1);
    *v |= static_cast<uint64_t>(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) return true;
  }
  return false;
}

// Ertl's sigma and tau functions (the paper's Algorithm 6).
double Sigma(double x) {
  if (x == 1.0) return std::numeric_limits<double>::infinity();
  double y = 1.0, z = x, previous;
  do {
    x *= x;
    previous = z;
    z += x * y;
    y += y;
  } while (previous != z);
  return z;
}

double Tau(double x) {
  if (x == 0.0 || x == 1.0) return 0.0;
  double y = 1.0, z = 1.0 - x, previous;
  do {
    x = std::sqrt(x);
    previous = z;
    y *= 0.5;
    z -= (1.0 - x) * (1.0 - x) * y;
  } while (previous != z);
  return z / 3.0;
}

}  // namespace

// Sorted entries, one per index: the last of each run of equal indexes has the highest rank.
void KeepHighestPerIndex(std::vector<uint32_t>* entries) {
  size_t out = 0;
  for (size_t i = 0; i < entries->size(); ++i) {
    const uint32_t e = (*entries)[i];
    if (out > 0 && IndexOf((*entries)[out - 1]) == IndexOf(e)) {
      (*entries)[out - 1] = e;  // sorted: e's rank is at least the kept one's
    } else {
      (*entries)[out++] = e;
    }
  }
  entries->resize(out);
}

uint32_t SparseEntry(uint64_t hash) {
  const auto index = static_cast<uint32_t>(hash >> (64 - kSparsePrecision));
  const uint64_t rest = hash << kSparsePrecision;  // the other 39 bits, at the top
  const int rank = rest == 0 ? kMaxSparseRank : std::countl_zero(rest) + 1;
  return (index << kRankBits) | static_cast<uint32_t>(rank);
}

bool HyperLogLog::SetRegister(uint32_t entry) {
  // The dense index is the first 14 of the 25 bits; the 11 between them either hold the first
  // set bit of the rest of the hash, or are zero and the sparse rank continues the count.
  const uint32_t index25 = IndexOf(entry);
  const uint32_t index = index25 >> kIndexGap;
  const uint32_t between = index25 & ((1u << kIndexGap) - 1);
  const int rank = between != 0 ? std::countl_zero(between) - (32 - kIndexGap) + 1
                                : kIndexGap + static_cast<int>(RankOf(entry));
  uint8_t& reg = registers_[index];
  if (reg >= rank) return false;
  reg = static_cast<uint8_t>(rank);
  return true;
}

void HyperLogLog::ToDense() {
  registers_.assign(kRegisters, 0);
  for (uint32_t e : sparse_) SetRegister(e);
  sparse_.clear();
  sparse_.shrink_to_fit();
}

bool HyperLogLog::MergeSorted(std::span<const uint32_t> entries) {
  bool changed = false;
  if (dense()) {
    for (uint32_t e : entries) changed |= SetRegister(e);
    return changed;
  }
  std::vector<uint32_t> merged;
  merged.reserve(sparse_.size() + entries.size());
  std::merge(sparse_.begin(), sparse_.end(), entries.begin(), entries.end(),
             std::back_inserter(merged));
  KeepHighestPerIndex(&merged);
  changed = merged != sparse_;
  sparse_ = std::move(merged);
  if (sparse_.size() > kMaxSparseEntries) ToDense();
  return changed;
}

void HyperLogLog::AddEntry(uint32_t entry) {
  if (dense()) {
    SetRegister(entry);
    return;
  }
  auto it = std::lower_bound(sparse_.begin(), sparse_.end(), entry & ~kRankMask);
  if (it != sparse_.end() && IndexOf(*it) == IndexOf(entry)) {
    *it = std::max(*it, entry);
    return;
  }
  sparse_.insert(it, entry);
  if (sparse_.size() > kMaxSparseEntries) ToDense();
}

void HyperLogLog::AddEntries(std::vector<uint32_t> entries) {
  std::sort(entries.begin(), entries.end());
  KeepHighestPerIndex(&entries);
  MergeSorted(entries);
}

bool HyperLogLog::Merge(const HyperLogLog& other) {
  if (other.dense()) {
    bool changed = !dense();
    if (!dense()) ToDense();
    for (size_t i = 0; i < kRegisters; ++i) {
      if (other.registers_[i] > registers_[i]) {
        registers_[i] = other.registers_[i];
        changed = true;
      }
    }
    return changed;
  }
  return MergeSorted(other.sparse_);
}

double HyperLogLog::Estimate() const {
  if (!dense()) {
    if (sparse_.empty()) return 0;
    // Linear counting over the 2^25 sparse buckets: exact but for rare collisions.
    const double m = static_cast<double>(uint64_t{1} << kSparsePrecision);
    return m * std::log(m / (m - static_cast<double>(sparse_.size())));
  }
  int counts[kMaxRank + 1] = {};
  for (uint8_t r : registers_) ++counts[r];
  const double m = static_cast<double>(kRegisters);
  double z = m * Tau(1.0 - counts[kMaxRank] / m);
  for (int k = kMaxRank - 1; k >= 1; --k) z = 0.5 * (z + counts[k]);
  z += m * Sigma(counts[0] / m);
  constexpr double kAlphaInf = 0.721347520444481703680;  // 1 / (2 ln 2)
  return kAlphaInf * m * m / z;
}

std::string HyperLogLog::Serialize() const {
  std::string out;
  if (empty()) return out;
  if (!dense()) {
    out.push_back(static_cast<char>(kSparseTag));
    PutVarint(sparse_.size(), &out);
    uint32_t previous = 0;
    for (uint32_t e : sparse_) {
      PutVarint(e - previous, &out);
      previous = e;
    }
    return out;
  }
  out.assign(1 + kDenseBytes, '\0');
  out[0] = static_cast<char>(kDenseTag);
  auto* bytes = reinterpret_cast<unsigned char*>(out.data() + 1);
  for (size_t i = 0; i < kRegisters; ++i) {
    const size_t bit = i * 6;
    const unsigned value = registers_[i];
    bytes[bit / 8] |= static_cast<unsigned char>(value << (bit % 8));
    if (bit % 8 > 2) bytes[bit / 8 + 1] |= static_cast<unsigned char>(value >> (8 - bit % 8));
  }
  return out;
}

Result<HyperLogLog> HyperLogLog::Parse(std::string_view bytes) {
  HyperLogLog h;
  if (bytes.empty()) return h;
  const auto tag = static_cast<uint8_t>(bytes.front());
  bytes.remove_prefix(1);
  if (tag == kDenseTag) {
    if (bytes.size() != kDenseBytes) {
      return Status::Corruption("a dense HyperLogLog of " + std::to_string(bytes.size()) +
                                " bytes (expected " + std::to_string(kDenseBytes) + ")");
    }
    h.registers_.assign(kRegisters, 0);
    const auto* b = reinterpret_cast<const unsigned char*>(bytes.data());
    for (size_t i = 0; i < kRegisters; ++i) {
      const size_t bit = i * 6;
      unsigned value = b[bit / 8] >> (bit % 8);
      if (bit % 8 > 2) value |= static_cast<unsigned>(b[bit / 8 + 1]) << (8 - bit % 8);
      value &= 0x3f;
      if (value > kMaxRank) return Status::Corruption("a HyperLogLog register above 51");
      h.registers_[i] = static_cast<uint8_t>(value);
    }
    return h;
  }
  if (tag != kSparseTag) return Status::Corruption("not a HyperLogLog (unknown format byte)");
  uint64_t n = 0;
  if (!GetVarint(&bytes, &n) || n == 0 || n > kMaxSparseEntries) {
    return Status::Corruption("a sparse HyperLogLog with a bad entry count");
  }
  h.sparse_.reserve(n);
  uint64_t entry = 0;
  for (uint64_t i = 0; i < n; ++i) {
    uint64_t delta = 0;
    // A delta past 32 bits would wrap `entry` round to a smaller one: out of order too.
    if (!GetVarint(&bytes, &delta) || (i > 0 && delta == 0) || delta > UINT32_MAX - entry) {
      return Status::Corruption("a sparse HyperLogLog cut short or out of order");
    }
    entry += delta;
    const uint32_t rank = static_cast<uint32_t>(entry) & kRankMask;
    // An index past 2^25 would put SetRegister past the 16,384 registers.
    if (entry >= kEntryLimit || rank == 0 || rank > kMaxSparseRank ||
        (!h.sparse_.empty() &&
         IndexOf(h.sparse_.back()) == IndexOf(static_cast<uint32_t>(entry)))) {
      return Status::Corruption("a sparse HyperLogLog with a bad entry");
    }
    h.sparse_.push_back(static_cast<uint32_t>(entry));
  }
  if (!bytes.empty()) return Status::Corruption("bytes after a sparse HyperLogLog");
  return h;
}

}  // namespace shopstream::sketch
