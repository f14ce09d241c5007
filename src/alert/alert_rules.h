// Alert rules: what `shopstream process --alerts FILE` watches in stream time, read from a small
// text file (docs/alerts.md has the format). One rule a line:
//
//   NAME: METRIC CONDITION [window=DURATION] [baseline=DURATION] [min=NUMBER]
//
// METRIC is events, views, carts, purchases, revenue or dead_letters; CONDITION is `drop P%`
// (the window's value below (100 - P) % of the baseline's mean per window), `zero` (nothing in
// the window although the baseline had some) or `above P%` (dead letters: their share of the
// window's messages). `#` starts a comment.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace shopstream::alert {

enum class Metric { kEvents, kViews, kCarts, kPurchases, kRevenue, kDeadLetters };
enum class Condition { kDrop, kZero, kAbove };

struct Rule {
  std::string name;
  Metric metric = Metric::kEvents;
  Condition condition = Condition::kDrop;
  double percent = 0;               // drop or above, 0-100
  int64_t window_seconds = 60;      // a multiple of 10 (the finest rollup)
  int64_t baseline_seconds = 3600;  // drop and zero: the span just before the window
  double min = 0;  // drop: the least baseline mean per window that counts; above: least messages
};

// The rules of `text`; errors name `file` and the line ("alerts.conf:3: ..."). Names are
// unique, [A-Za-z0-9_.-], at most 50 characters.
Result<std::vector<Rule>> ParseRules(std::string_view text, std::string_view file);

// The rules `--alerts default` uses (and docs/alerts.md and config/alerts.conf show).
std::string_view DefaultRulesText();

std::string_view MetricName(Metric metric);

}  // namespace shopstream::alert
