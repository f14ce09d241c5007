// Evaluates alert rules in stream time, at every ten-second boundary the stream passed since the
// last call, so that a batch spanning minutes of stream time (a fast replay) fires at the
// boundary where the condition first held, not at the batch's end. Rules read ten-second buckets
// (rollup_10s's grain); `by=department` rules read each department's minute buckets
// (rollup_minute's grain) and fire for each department on its own. Pure: the caller reads the
// buckets the spans name (pipeline/alert_stage.h) and keeps the transitions. Which rules (and
// departments) fire is kept here, between calls, and can be restored after a restart.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "alert/alert_rules.h"

namespace shopstream::alert {

inline constexpr int64_t kStepSeconds = 10;
inline constexpr int64_t kDaySeconds = 86400;

// What a bucket of stream time holds (ten seconds, or a minute for a department).
struct Bucket {
  double events = 0, views = 0, carts = 0, purchases = 0, revenue = 0;
  double messages = 0, dead_letters = 0;  // of the batches whose stream time fell in it
};

// Buckets by their start (seconds since 1970).
using Series = std::map<int64_t, Bucket>;

// [from, to) in seconds of stream time.
struct Span {
  int64_t from = 0, to = 0;
  bool operator==(const Span&) const = default;
};

struct Transition {
  std::string rule;
  std::string department;  // a by=department rule's department; "" for the others
  bool fired = true;       // false: resolved
  int64_t at_second = 0;   // stream time (seconds since 1970) of the boundary it was seen at
  double value = 0;        // the window's value (dead letters: percent of messages)
  double threshold = 0;    // the value it crossed
  double baseline = 0;     // the baseline's mean per window (dead letters: messages)
};

class Evaluator {
 public:
  explicit Evaluator(std::vector<Rule> rules);

  // The oldest boundary the next Evaluate looks at, for `now`: the one after the last evaluated,
  // at most kMaxCatchUp back (the first call evaluates `now` only).
  int64_t FirstBoundary(int64_t now) const;
  // What the next Evaluate(now, ...) reads, sorted and without overlaps: the ten-second buckets
  // (trailing windows and baselines, and the same spans on earlier days), and the departments'
  // minute buckets (empty without by=department rules).
  std::vector<Span> TenSecondSpans(int64_t now) const { return Spans(now, false); }
  std::vector<Span> MinuteSpans(int64_t now) const { return Spans(now, true); }
  // `now`: the start of the newest ten-second bucket (still filling: not counted). `buckets`:
  // every ten-second bucket with data in TenSecondSpans(now); `departments`: each department's
  // minute buckets with data in MinuteSpans(now).
  std::vector<Transition> Evaluate(int64_t now, const Series& buckets,
                                   const std::map<std::string, Series>& departments = {});

  // Marks a rule (and department) as firing, as the alerts table last left it, so that a
  // restarted processor resolves it once instead of firing it again. Unknown rules are ignored.
  void Restore(const std::string& rule, const std::string& department);

  const std::vector<Rule>& rules() const { return rules_; }
  bool firing(size_t rule, const std::string& department = "") const {
    return firing_[rule].count(department) > 0;
  }

  static constexpr int64_t kMaxCatchUp = 24 * 3600;

 private:
  std::vector<Span> Spans(int64_t now, bool by_department) const;

  std::vector<Rule> rules_;
  std::vector<std::set<std::string>> firing_;  // by rule: the departments firing ("" for all)
  std::optional<int64_t> last_;
};

}  // namespace shopstream::alert
