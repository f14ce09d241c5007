// One thread's view of the strata met while sampling: each stratum value gets a small index,
// its fraction from the options, and counts of rows read and kept. Threads keep their own
// tables and the totals are added up by name at the end, so the hot path takes no lock.
#pragma once

#include <algorithm>
#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "sample/sampler.h"

namespace shopstream::sample {

class StratumCounter {
 public:
  explicit StratumCounter(const SampleOptions* options) : options_(options) {}

  // The index of `value`, added on first sight. A few strata (event types) are the common
  // case, so the last hit and a short list are tried before the hash table.
  uint32_t IndexOf(std::string_view value) {
    if (last_ < names_.size() && names_[last_] == value) return last_;
    size_t linear = std::min<size_t>(names_.size(), kLinear);
    for (size_t i = 0; i < linear; ++i) {
      if (names_[i] == value) return last_ = static_cast<uint32_t>(i);
    }
    if (names_.size() > kLinear) {
      auto it = index_.find(value);
      if (it != index_.end()) return last_ = it->second;
    }
    return last_ = Add(value);
  }

  double fraction(uint32_t index) const { return fractions_[index]; }
  const std::string& name(uint32_t index) const { return names_[index]; }

  void Count(uint32_t index, bool kept) {
    ++read_[index];
    kept_[index] += kept ? 1 : 0;
  }

  void AddTo(SampleStats* stats) const {
    for (size_t i = 0; i < names_.size(); ++i) {
      stats->rows_read += read_[i];
      stats->rows_kept += kept_[i];
      stats->read_by_stratum[names_[i]] += read_[i];
      stats->kept_by_stratum[names_[i]] += kept_[i];
    }
  }

 private:
  static constexpr size_t kLinear = 8;

  uint32_t Add(std::string_view value) {
    auto index = static_cast<uint32_t>(names_.size());
    names_.emplace_back(value);
    double fraction = 0;
    if (options_->fraction) {
      fraction = *options_->fraction;
    } else if (auto f = options_->fractions.find(names_.back()); f != options_->fractions.end()) {
      fraction = f->second;
    }
    fractions_.push_back(fraction);
    read_.push_back(0);
    kept_.push_back(0);
    index_.emplace(names_.back(), index);
    return index;
  }

  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  const SampleOptions* options_;
  std::deque<std::string> names_;  // a deque: the index keys view these strings in place
  std::vector<double> fractions_;
  std::vector<uint64_t> read_, kept_;
  std::unordered_map<std::string_view, uint32_t, Hash, std::equal_to<>> index_;
  uint32_t last_ = 0;
};

}  // namespace shopstream::sample
