#include "alert/alert_rules.h"

#include <charconv>
#include <cmath>
#include <set>

namespace shopstream::alert {
namespace {

constexpr std::string_view kMetrics[] = {"events",  "views",        "carts",      "purchases",
                                         "revenue", "dead_letters", "conversion", "commits"};
constexpr size_t kMaxName = 50;
constexpr int64_t kMaxSeconds = 7 * 24 * 3600;

std::vector<std::string_view> Words(std::string_view line) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    const size_t start = i;
    while (i < line.size() && line[i] != ' ' && line[i] != '\t') ++i;
    if (i > start) out.push_back(line.substr(start, i - start));
  }
  return out;
}

bool Number(std::string_view text, double* out) {
  if (text.empty()) return false;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return ec == std::errc() && end == text.data() + text.size() && std::isfinite(*out);
}

// "90s", "5m", "1h" (a whole number and its unit) in seconds.
bool Duration(std::string_view text, int64_t* seconds) {
  if (text.size() < 2) return false;
  const char unit = text.back();
  const int64_t scale = unit == 's' ? 1 : unit == 'm' ? 60 : unit == 'h' ? 3600 : 0;
  int64_t n = 0;
  text.remove_suffix(1);
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (scale == 0 || ec != std::errc() || end != text.data() + text.size() || n <= 0 ||
      n > kMaxSeconds / scale) {
    return false;
  }
  *seconds = n * scale;
  return true;
}

// "same-time:7d": the number of earlier days, 1 to kMaxBaselineDays.
bool SameTimeDays(std::string_view text, int* days) {
  constexpr std::string_view kPrefix = "same-time:";
  if (text.substr(0, kPrefix.size()) != kPrefix || text.size() < kPrefix.size() + 2 ||
      text.back() != 'd') {
    return false;
  }
  text = text.substr(kPrefix.size(), text.size() - kPrefix.size() - 1);
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), *days);
  return ec == std::errc() && end == text.data() + text.size() && *days >= 1 &&
         *days <= kMaxBaselineDays;
}

bool Percent(std::string_view text, double* out) {
  if (text.empty() || text.back() != '%') return false;
  text.remove_suffix(1);
  return Number(text, out) && *out > 0 && *out <= 100;
}

bool ValidName(std::string_view name) {
  if (name.empty() || name.size() > kMaxName) return false;
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '.' || c == '-';
    if (!ok) return false;
  }
  return true;
}

// One line's rule, or the reason it is not one.
Result<Rule> ParseLine(std::string_view line) {
  const size_t colon = line.find(':');
  if (colon == std::string_view::npos) {
    return Status::InvalidArgument("expected NAME: METRIC CONDITION [key=value ...]");
  }
  const std::vector<std::string_view> name = Words(line.substr(0, colon));
  if (name.size() != 1 || !ValidName(name[0])) {
    return Status::InvalidArgument(
        "a rule's name is one word of letters, digits, '_', '.' or '-' (at most 50)");
  }
  Rule rule;
  rule.name = std::string(name[0]);
  std::vector<std::string_view> words = Words(line.substr(colon + 1));
  if (words.size() < 2) return Status::InvalidArgument("expected METRIC CONDITION after the name");
  size_t m = 0;
  while (m < std::size(kMetrics) && kMetrics[m] != words[0]) ++m;
  if (m == std::size(kMetrics)) {
    return Status::InvalidArgument("unknown metric '" + std::string(words[0]) +
                                   "' (events, views, carts, purchases, revenue, dead_letters)");
  }
  rule.metric = static_cast<Metric>(m);
  size_t next = 2;
  if (words[1] == "zero") {
    rule.condition = Condition::kZero;
  } else if (words[1] == "stalled") {
    rule.condition = Condition::kStalled;
  } else if (words[1] == "drop" || words[1] == "above") {
    rule.condition = words[1] == "drop" ? Condition::kDrop : Condition::kAbove;
    if (words.size() < 3 || !Percent(words[2], &rule.percent)) {
      return Status::InvalidArgument("'" + std::string(words[1]) +
                                     "' takes a percentage above 0 and at most 100 (e.g. 40%)");
    }
    next = 3;
  } else {
    return Status::InvalidArgument("unknown condition '" + std::string(words[1]) +
                                   "' (drop P%, zero, above P%, stalled)");
  }
  const bool commits = rule.metric == Metric::kCommits;
  if (commits != (rule.condition == Condition::kStalled)) {
    return Status::InvalidArgument("'stalled' is for commits, which takes only 'stalled'");
  }
  if (commits) rule.window_seconds = 120;
  const bool dead = rule.metric == Metric::kDeadLetters;
  if (dead != (rule.condition == Condition::kAbove)) {
    return Status::InvalidArgument("'above' is for dead_letters, which takes only 'above'");
  }
  if (rule.metric == Metric::kConversion && rule.condition != Condition::kDrop) {
    return Status::InvalidArgument("'conversion' takes only 'drop P%'");
  }
  if (dead) rule.window_seconds = 300;
  std::set<std::string_view> seen;
  for (; next < words.size(); ++next) {
    const std::string_view word = words[next];
    const size_t eq = word.find('=');
    const std::string_view key = word.substr(0, eq), value = word.substr(eq + 1);
    if (eq == std::string_view::npos || !seen.insert(key).second) {
      return Status::InvalidArgument("expected key=value, each key once, not '" +
                                     std::string(word) + "'");
    }
    if (key == "baseline" && value.substr(0, 10) == "same-time:") {
      if (!SameTimeDays(value, &rule.baseline_days)) {
        return Status::InvalidArgument("baseline=same-time: takes a number of earlier days, 1 to " +
                                       std::to_string(kMaxBaselineDays) +
                                       " (e.g. same-time:7d), "
                                       "not '" +
                                       std::string(value) + "'");
      }
    } else if (key == "window" || key == "baseline") {
      int64_t* into = key == "window" ? &rule.window_seconds : &rule.baseline_seconds;
      if (!Duration(value, into) || *into % 10 != 0) {
        return Status::InvalidArgument(std::string(key) +
                                       " takes a duration in whole tens of seconds, up to 7 "
                                       "days (e.g. 60s, 5m, 1h), not '" +
                                       std::string(value) + "'");
      }
    } else if (key == "min") {
      if (!Number(value, &rule.min) || rule.min < 0) {
        return Status::InvalidArgument("min takes a number >= 0, not '" + std::string(value) + "'");
      }
    } else if (key == "p") {
      if (!Number(value, &rule.p) || rule.p <= 0 || rule.p >= 1) {
        return Status::InvalidArgument("p takes a chance above 0 and below 1 (e.g. 0.0001), not '" +
                                       std::string(value) + "'");
      }
    } else if (key == "by") {
      if (value != "department") {
        return Status::InvalidArgument("by takes only 'department', not '" + std::string(value) +
                                       "'");
      }
      rule.by_department = true;
    } else {
      return Status::InvalidArgument("unknown key '" + std::string(key) +
                                     "' (window, baseline, min, p, by)");
    }
  }
  const bool count = rule.metric == Metric::kEvents || rule.metric == Metric::kViews ||
                     rule.metric == Metric::kCarts || rule.metric == Metric::kPurchases;
  if (seen.count("p") && (rule.condition != Condition::kDrop || !count)) {
    return Status::InvalidArgument(
        "p= is for a drop of a count (events, views, carts, purchases), not of revenue or "
        "conversion");
  }
  if (dead && (seen.count("baseline") || seen.count("by"))) {
    return Status::InvalidArgument("dead_letters takes neither baseline= nor by=");
  }
  if (commits && (seen.count("baseline") || seen.count("by") || seen.count("min"))) {
    return Status::InvalidArgument("commits takes only window=");
  }
  if (!dead && !commits && rule.baseline_days == 0 && rule.baseline_seconds < rule.window_seconds) {
    return Status::InvalidArgument("the baseline must be at least as long as the window");
  }
  if (rule.baseline_days > 0 && rule.window_seconds > 86400) {
    return Status::InvalidArgument("a same-time baseline takes a window of at most a day");
  }
  if (rule.by_department) {
    if (rule.window_seconds % 60 != 0 ||
        (rule.baseline_days == 0 && rule.baseline_seconds % 60 != 0)) {
      return Status::InvalidArgument("by=department takes whole minutes (window, baseline)");
    }
    if (rule.name.size() > kMaxKeyedName) {
      return Status::InvalidArgument("a by=department rule's name has at most " +
                                     std::to_string(kMaxKeyedName) + " characters");
    }
  }
  return rule;
}

}  // namespace

Result<std::vector<Rule>> ParseRules(std::string_view text, std::string_view file) {
  std::vector<Rule> rules;
  std::set<std::string> names;
  size_t line_no = 0;
  while (!text.empty()) {
    ++line_no;
    const size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
    if (const size_t hash = line.find('#'); hash != std::string_view::npos)
      line = line.substr(0, hash);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (Words(line).empty()) continue;
    const auto where = [&] { return std::string(file) + ":" + std::to_string(line_no) + ": "; };
    auto rule = ParseLine(line);
    if (!rule.ok()) return Status::InvalidArgument(where() + rule.status().message());
    if (!names.insert(rule->name).second) {
      return Status::InvalidArgument(where() + "a second rule named '" + rule->name + "'");
    }
    rules.push_back(std::move(*rule));
  }
  return rules;
}

std::string_view DefaultRulesText() {
  return "# Purchases of the last minute below 65 % of the mean minute of the 20 minutes before "
         "(a\n"
         "# drop of 35 % or more), and so low that the 20 minutes' rate would give it by chance\n"
         "# less than once in 100,000 (Poisson): quiet where a minute holds too few purchases to\n"
         "# tell (docs/alerts.md).\n"
         "purchases_drop: purchases drop 35% window=60s baseline=20m p=0.00001\n"
         "# The same over 5 minutes against the 30 before, below 60 %: slower, but sure at a few\n"
         "# dozen purchases a minute, where a minute cannot tell.\n"
         "purchases_drop_5m: purchases drop 40% window=5m baseline=30m p=0.00001\n"
         "# No event at all for a minute of stream time after an hour with some.\n"
         "events_stopped: events zero window=60s baseline=1h\n"
         "# Dead letters above 5 % of the messages of the last 5 minutes (100 messages or more).\n"
         "dead_letters_rising: dead_letters above 5% window=5m min=100\n"
         "# No commit for 2 minutes of wall clock while a batch waits to commit.\n"
         "stream_stalled: commits stalled window=2m\n";
}

std::string_view MetricName(Metric metric) { return kMetrics[static_cast<int>(metric)]; }

}  // namespace shopstream::alert
