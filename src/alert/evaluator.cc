#include "alert/evaluator.h"

#include <algorithm>

namespace shopstream::alert {
namespace {

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
  }
  return 0;
}

}  // namespace

Evaluator::Evaluator(std::vector<Rule> rules)
    : rules_(std::move(rules)), firing_(rules_.size(), false) {
  for (const Rule& r : rules_) {
    const int64_t span =
        r.window_seconds + (r.condition == Condition::kAbove ? 0 : r.baseline_seconds);
    history_ = std::max(history_, span);
  }
}

int64_t Evaluator::FirstBoundary(int64_t now) const {
  if (!last_ || *last_ >= now) return now;
  return std::max(*last_ + kStepSeconds, now - kMaxCatchUp);
}

std::vector<Transition> Evaluator::Evaluate(int64_t now, const std::map<int64_t, Bucket>& buckets) {
  std::vector<Transition> out;
  if (last_ && *last_ >= now) return out;  // stream time did not pass a boundary
  const int64_t first = FirstBoundary(now);
  last_ = now;
  // Sums over [from, to) of the buckets, by prefix sums over a dense array.
  const int64_t origin = first - history_;
  const size_t n = static_cast<size_t>((now - origin) / kStepSeconds);
  std::vector<Bucket> prefix(n + 1);
  for (size_t i = 0; i < n; ++i) {
    Bucket sum = prefix[i];
    if (auto it = buckets.find(origin + static_cast<int64_t>(i) * kStepSeconds);
        it != buckets.end()) {
      const Bucket& b = it->second;
      sum.events += b.events, sum.views += b.views, sum.carts += b.carts;
      sum.purchases += b.purchases, sum.revenue += b.revenue;
      sum.messages += b.messages, sum.dead_letters += b.dead_letters;
    }
    prefix[i + 1] = sum;
  }
  const auto at = [&](int64_t second) {
    return static_cast<size_t>((second - origin) / kStepSeconds);
  };
  for (int64_t t = first; t <= now; t += kStepSeconds) {
    for (size_t i = 0; i < rules_.size(); ++i) {
      const Rule& r = rules_[i];
      const Bucket& end = prefix[at(t)];
      const Bucket& mid = prefix[at(t - r.window_seconds)];
      Transition tr{r.name, true, t, 0, 0, 0};
      bool fire = false, resolve = false;
      if (r.condition == Condition::kAbove) {
        const double messages = end.messages - mid.messages;
        const double dead = end.dead_letters - mid.dead_letters;
        tr.value = messages > 0 ? 100 * dead / messages : 0;
        tr.threshold = r.percent;
        tr.baseline = messages;
        fire = messages >= std::max(r.min, 1.0) && tr.value > r.percent;
        resolve = !fire;
      } else {
        const Bucket& start = prefix[at(t - r.window_seconds - r.baseline_seconds)];
        tr.value = ValueOf(end, r.metric) - ValueOf(mid, r.metric);
        tr.baseline = (ValueOf(mid, r.metric) - ValueOf(start, r.metric)) *
                      static_cast<double>(r.window_seconds) /
                      static_cast<double>(r.baseline_seconds);
        if (r.condition == Condition::kZero) {
          fire = tr.value == 0 && tr.baseline > 0;
          resolve = tr.value > 0;
        } else {
          // Resolved once back above half the drop, so that noise at the line does not flap.
          tr.threshold = (1 - r.percent / 100) * tr.baseline;
          fire = tr.baseline > 0 && tr.baseline >= r.min && tr.value < tr.threshold;
          resolve = tr.value >= (1 - r.percent / 200) * tr.baseline || tr.baseline < r.min;
        }
      }
      if (!firing_[i] && fire) {
        firing_[i] = true;
        out.push_back(tr);
      } else if (firing_[i] && resolve) {
        firing_[i] = false;
        tr.fired = false;
        out.push_back(tr);
      }
    }
  }
  return out;
}

}  // namespace shopstream::alert
