// Alert rules: what `shopstream process --alerts FILE` watches in stream time, read from a small
// text file (docs/alerts.md has the format). One rule a line:
//
//   NAME: METRIC CONDITION [window=DURATION] [baseline=DURATION|same-time:Nd] [min=NUMBER]
//         [p=CHANCE] [by=department]
//
// METRIC is events, views, carts, purchases, revenue, conversion (purchases per 100 views) or
// dead_letters; CONDITION is `drop P%` (the window's value below (100 - P) % of the baseline's
// mean per window), `zero` (nothing in the window although the baseline had some) or `above P%`
// (dead letters: their share of the window's messages); `commits stalled` (wall clock: no commit
// for the window's length while a batch waits to commit). The baseline is the span just before
// the window, or the same window at the same time of day on the N earlier days. `p=` asks a
// drop of a count to be unlikely by chance as well (alert/poisson.h). `by=department`
// evaluates the rule for each department on its own (from the minute rollup). `#` starts a
// comment.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace shopstream::alert {

enum class Metric {
  kEvents,
  kViews,
  kCarts,
  kPurchases,
  kRevenue,
  kDeadLetters,
  kConversion,
  kCommits
};
enum class Condition { kDrop, kZero, kAbove, kStalled };

struct Rule {
  std::string name;
  Metric metric = Metric::kEvents;
  Condition condition = Condition::kDrop;
  double percent = 0;               // drop or above, 0-100
  int64_t window_seconds = 60;      // a multiple of 10 (the finest rollup); stalled: wall clock
  int64_t baseline_seconds = 3600;  // drop and zero: the span just before the window
  int baseline_days = 0;  // > 0: the baseline is the same window on that many earlier days
  // drop: the least baseline mean per window that counts (conversion: the least views in the
  // window); above: the least messages in the window.
  double min = 0;
  // drop of a count (events, views, carts, purchases): > 0 fires only when a window this low
  // would come by chance less often than this at the baseline's rate (Poisson); 0: no test.
  double p = 0;
  bool by_department = false;  // one alert per department, from minute buckets
};

inline constexpr int kMaxBaselineDays = 28;
// The longest rule name of a `by=department` rule: the alerts table keeps NAME/DEPARTMENT in
// its 50-character rule column (docs/alerts.md).
inline constexpr size_t kMaxKeyedName = 20;

// The rules of `text`; errors name `file` and the line ("alerts.conf:3: ..."). Names are
// unique, [A-Za-z0-9_.-], at most 50 characters.
Result<std::vector<Rule>> ParseRules(std::string_view text, std::string_view file);

// The rules `--alerts default` uses (docs/alerts.md shows them).
std::string_view DefaultRulesText();

std::string_view MetricName(Metric metric);

}  // namespace shopstream::alert
