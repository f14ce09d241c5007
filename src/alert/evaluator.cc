#include "alert/evaluator.h"

#include <algorithm>

#include "alert/poisson.h"

namespace shopstream::alert {
namespace {

constexpr int64_t kMinute = 60;

double ValueOf(const Bucket& b, Metric metric) {
  switch (metric) {
    case Metric::kEvents:
      return b.events;
    case Metric::kViews:
      return b.views;
    case Metric::kCarts:
      return b.carts;
    case Metric::kPurchases:
      return b.purchases;
    case Metric::kRevenue:
      return b.revenue;
    case Metric::kDeadLetters:
      return b.dead_letters;
    case Metric::kConversion:  // purchases per 100 views
      return b.views > 0 ? 100 * b.purchases / b.views : 0;
    case Metric::kCommits:  // not in buckets (pipeline/stall_watch.h)
      return 0;
  }
  return 0;
}

void Add(Bucket& into, const Bucket& b, double sign) {
  into.events += sign * b.events, into.views += sign * b.views, into.carts += sign * b.carts;
  into.purchases += sign * b.purchases, into.revenue += sign * b.revenue;
  into.messages += sign * b.messages, into.dead_letters += sign * b.dead_letters;
}

// Sums of a series over any span, by prefix sums at its buckets' starts (a binary search each).
class Sums {
 public:
  explicit Sums(const Series& series) : cumulative_(series.size() + 1) {
    starts_.reserve(series.size());
    size_t i = 0;
    for (const auto& [start, bucket] : series) {
      starts_.push_back(start);
      cumulative_[i + 1] = cumulative_[i];
      Add(cumulative_[i + 1], bucket, 1);
      ++i;
    }
  }
  Bucket Over(int64_t from, int64_t to) const {
    Bucket out = Before(to);
    Add(out, Before(from), -1);
    return out;
  }

 private:
  Bucket Before(int64_t second) const {
    return cumulative_[std::lower_bound(starts_.begin(), starts_.end(), second) - starts_.begin()];
  }
  std::vector<int64_t> starts_;
  std::vector<Bucket> cumulative_;
};

// The baseline's sums, and how many windows' worth they hold: the span just before the window,
// or the same window on each earlier day that had any event then (days without data skipped).
std::pair<Bucket, double> BaselineOf(const Rule& r, const Sums& sums, int64_t end) {
  if (r.baseline_days == 0) {
    const int64_t from = end - r.window_seconds - r.baseline_seconds;
    return {sums.Over(from, end - r.window_seconds),
            static_cast<double>(r.baseline_seconds) / static_cast<double>(r.window_seconds)};
  }
  Bucket total;
  double days = 0;
  for (int d = 1; d <= r.baseline_days; ++d) {
    const int64_t day_end = end - d * kDaySeconds;
    const Bucket b = sums.Over(day_end - r.window_seconds, day_end);
    if (b.events <= 0) continue;
    Add(total, b, 1);
    ++days;
  }
  return {total, days};
}

}  // namespace

Evaluator::Evaluator(std::vector<Rule> rules) : rules_(std::move(rules)), firing_(rules_.size()) {}

int64_t Evaluator::FirstBoundary(int64_t now) const {
  if (!last_ || *last_ >= now) return now;
  return std::max(*last_ + kStepSeconds, now - kMaxCatchUp);
}

std::vector<Span> Evaluator::Spans(int64_t now, bool by_department) const {
  const int64_t grain = by_department ? kMinute : kStepSeconds;
  // The windows end at the boundaries from `first` to `now`, rounded down to the grain.
  const int64_t lo = FirstBoundary(now) / grain * grain, hi = now / grain * grain;
  std::vector<Span> spans;
  for (const Rule& r : rules_) {
    if (r.by_department != by_department || r.condition == Condition::kStalled) continue;
    const bool trailing = r.condition != Condition::kAbove && r.baseline_days == 0;
    spans.push_back({lo - r.window_seconds - (trailing ? r.baseline_seconds : 0), hi});
    for (int d = 1; d <= r.baseline_days; ++d) {
      spans.push_back({lo - d * kDaySeconds - r.window_seconds, hi - d * kDaySeconds});
    }
  }
  std::sort(spans.begin(), spans.end(),
            [](const Span& a, const Span& b) { return a.from < b.from; });
  std::vector<Span> merged;
  for (const Span& s : spans) {
    if (!merged.empty() && s.from <= merged.back().to) {
      merged.back().to = std::max(merged.back().to, s.to);
    } else {
      merged.push_back(s);
    }
  }
  return merged;
}

void Evaluator::Restore(const std::string& rule, const std::string& department) {
  for (size_t i = 0; i < rules_.size(); ++i) {
    if (rules_[i].name == rule && (department.empty() != rules_[i].by_department)) {
      firing_[i].insert(department);
    }
  }
}

std::vector<Transition> Evaluator::Evaluate(int64_t now, const Series& buckets,
                                            const std::map<std::string, Series>& departments) {
  std::vector<Transition> out;
  if (last_ && *last_ >= now) return out;  // stream time did not pass a boundary
  const int64_t first = FirstBoundary(now);
  last_ = now;
  const Sums all(buckets);
  std::map<std::string, Sums> by;
  for (const auto& [department, series] : departments) by.emplace(department, Sums(series));
  const Sums none{Series()};

  // One rule at the boundary `t`, its window ending at `end`, over `sums`.
  const auto judge = [&](size_t i, int64_t t, int64_t end, const Sums& sums,
                         const std::string& department) {
    const Rule& r = rules_[i];
    const Bucket window = sums.Over(end - r.window_seconds, end);
    Transition tr{r.name, department, true, t, 0, 0, 0};
    bool fire = false, resolve = false;
    if (r.condition == Condition::kAbove) {
      tr.value = window.messages > 0 ? 100 * window.dead_letters / window.messages : 0;
      tr.threshold = r.percent;
      tr.baseline = window.messages;
      fire = window.messages >= std::max(r.min, 1.0) && tr.value > r.percent;
      resolve = !fire;
    } else {
      const auto [base, windows] = BaselineOf(r, sums, end);
      tr.value = ValueOf(window, r.metric);
      if (r.metric == Metric::kConversion) {
        tr.baseline = ValueOf(base, r.metric);  // a ratio: the baseline's, not a mean of ratios
      } else {
        tr.baseline = windows > 0 ? ValueOf(base, r.metric) / windows : 0;
      }
      if (r.condition == Condition::kZero) {
        fire = tr.value == 0 && tr.baseline > 0;
        resolve = tr.value > 0;
      } else {
        // Conversion guards on the window's views (a ratio of a few views is noise), the others
        // on the baseline. Resolved once back above half the drop, so that noise at the line
        // does not flap.
        const bool enough = r.metric == Metric::kConversion ? window.views >= std::max(r.min, 1.0)
                                                            : tr.baseline >= r.min;
        tr.threshold = (1 - r.percent / 100) * tr.baseline;
        fire = tr.baseline > 0 && enough && tr.value < tr.threshold;
        // p=: below the line is not enough, the count must also be unlikely at the baseline's
        // rate (a few dozen purchases a minute cross a 40 % line by chance several times a day).
        if (fire && r.p > 0) fire = PoissonAtMost(tr.value, tr.baseline) < r.p;
        resolve = tr.value >= (1 - r.percent / 200) * tr.baseline || !enough;
      }
    }
    std::set<std::string>& firing = firing_[i];
    if (!firing.count(department) && fire) {
      firing.insert(department);
      out.push_back(tr);
    } else if (firing.count(department) && resolve) {
      firing.erase(department);
      tr.fired = false;
      out.push_back(tr);
    }
  };

  for (int64_t t = first; t <= now; t += kStepSeconds) {
    for (size_t i = 0; i < rules_.size(); ++i) {
      if (rules_[i].condition == Condition::kStalled) continue;  // wall clock: StallWatch
      if (!rules_[i].by_department) {
        judge(i, t, t, all, "");
        continue;
      }
      // Departments firing but without data now are judged on nothing (and so resolve).
      std::set<std::string> keys = firing_[i];
      for (const auto& entry : by) keys.insert(entry.first);
      for (const std::string& department : keys) {
        const auto it = by.find(department);
        judge(i, t, t / kMinute * kMinute, it == by.end() ? none : it->second, department);
      }
    }
  }
  return out;
}

}  // namespace shopstream::alert
