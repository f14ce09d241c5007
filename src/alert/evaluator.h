// Evaluates alert rules in stream time over ten-second buckets (rollup_10s's grain), at every
// bucket boundary the stream passed since the last call, so that a batch spanning minutes of
// stream time (a fast replay) fires at the boundary where the condition first held, not at the
// batch's end. Pure: the caller reads the buckets (pipeline/alert_stage.h) and keeps the
// transitions. Which rules fire is kept here, between calls.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "alert/alert_rules.h"

namespace shopstream::alert {

inline constexpr int64_t kStepSeconds = 10;

// What a ten-second bucket of stream time holds.
struct Bucket {
  double events = 0, views = 0, carts = 0, purchases = 0, revenue = 0;
  double messages = 0, dead_letters = 0;  // of the batches whose stream time fell in it
};

struct Transition {
  std::string rule;
  bool fired = true;      // false: resolved
  int64_t at_second = 0;  // stream time (seconds since 1970) of the boundary it was seen at
  double value = 0;       // the window's value (dead letters: percent of messages)
  double threshold = 0;   // the value it crossed
  double baseline = 0;    // the baseline's mean per window (dead letters: messages)
};

class Evaluator {
 public:
  explicit Evaluator(std::vector<Rule> rules);

  // How far before the oldest boundary to evaluate the buckets must reach.
  int64_t HistorySeconds() const { return history_; }
  // The oldest boundary the next Evaluate looks at, for `now`: the one after the last evaluated,
  // at most kMaxCatchUp back (the first call evaluates `now` only).
  int64_t FirstBoundary(int64_t now) const;
  // `now`: the start of the newest ten-second bucket (still filling: not counted). `buckets`:
  // by start second, every bucket with data from FirstBoundary(now) - HistorySeconds() on.
  std::vector<Transition> Evaluate(int64_t now, const std::map<int64_t, Bucket>& buckets);

  const std::vector<Rule>& rules() const { return rules_; }
  bool firing(size_t rule) const { return firing_[rule]; }

  static constexpr int64_t kMaxCatchUp = 24 * 3600;

 private:
  std::vector<Rule> rules_;
  std::vector<bool> firing_;
  int64_t history_ = 0;
  std::optional<int64_t> last_;
};

}  // namespace shopstream::alert
