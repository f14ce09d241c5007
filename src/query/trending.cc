#include "query/trending.h"

#include <algorithm>
#include <map>
#include <string>
#include <tuple>
#include <utility>

namespace shopstream::query {

TrendWindows TrendWindowFor(TrendDimension dimension, int64_t window_minutes, int64_t last_minute) {
  TrendWindows w;
  int64_t end = last_minute + 1, length = window_minutes;
  if (dimension != TrendDimension::kDepartment) {
    w.whole_hours = true;
    end = CeilTo(end, Granularity::kHour);
    length = (window_minutes + kMinutesPerHour - 1) / kMinutesPerHour * kMinutesPerHour;
  }
  w.current = {end - length, end};
  w.previous = {end - 2 * length, end - length};
  return w;
}

double MetricOf(const Breakdown& values, TrendMetric metric) {
  switch (metric) {
    case TrendMetric::kViews:
      return static_cast<double>(values.views);
    case TrendMetric::kCarts:
      return static_cast<double>(values.carts);
    case TrendMetric::kPurchases:
      return static_cast<double>(values.purchases);
    case TrendMetric::kRevenue:
      return values.revenue;
  }
  return 0;
}

namespace {

bool ByName(const TrendItem& a, const TrendItem& b) {
  return std::tie(a.name, a.department) < std::tie(b.name, b.department);
}
bool ByValue(const TrendItem& a, const TrendItem& b) {
  if (a.value != b.value) return a.value > b.value;
  return ByName(a, b);
}
// Among equal rises, a name new in the window (no change: it rose from 0) goes first.
bool ByRise(const TrendItem& a, const TrendItem& b) {
  const double da = a.value - a.previous, db = b.value - b.previous;
  if (da != db) return da > db;
  const double ca = a.change.value_or(1e300), cb = b.change.value_or(1e300);
  if (ca != cb) return ca > cb;
  return ByName(a, b);
}

}  // namespace

void SortTrends(Trending* t) {
  std::sort(t->top.begin(), t->top.end(), ByValue);
  std::sort(t->rising.begin(), t->rising.end(), ByRise);
}

void RankTrends(const std::vector<NamedBreakdown>& current,
                const std::vector<NamedBreakdown>& previous, TrendMetric metric, int limit,
                Trending* out) {
  using Key = std::pair<std::string, std::string>;  // (department, name)
  std::map<Key, double> before;
  for (const NamedBreakdown& row : previous) {
    before[{row.department, row.name}] += MetricOf(row.values, metric);
  }
  std::vector<TrendItem> items;
  items.reserve(current.size());
  for (const NamedBreakdown& row : current) {
    TrendItem item{row.name, row.department, MetricOf(row.values, metric), 0, std::nullopt};
    if (auto it = before.find({row.department, row.name}); it != before.end()) {
      item.previous = it->second;
    }
    if (item.previous != 0) item.change = (item.value - item.previous) / item.previous;
    items.push_back(std::move(item));
  }
  const size_t n = static_cast<size_t>(std::max(limit, 0));
  std::vector<TrendItem> top;
  for (const TrendItem& item : items) {
    if (item.value > 0) top.push_back(item);
  }
  std::sort(top.begin(), top.end(), ByValue);
  if (top.size() > n) top.resize(n);
  std::vector<TrendItem> rising;
  for (const TrendItem& item : items) {
    if (item.value > item.previous) rising.push_back(item);
  }
  std::sort(rising.begin(), rising.end(), ByRise);
  if (rising.size() > n) rising.resize(n);
  out->top = std::move(top);
  out->rising = std::move(rising);
}

}  // namespace shopstream::query
