#include "store/query/rollup_reading.h"

#include <algorithm>

namespace shopstream {

BucketBounds BoundsFor(const TimeRange& range, Granularity g) {
  BucketBounds b{"", "~"};
  if (range.from) b.low = FormatBucket(FloorTo(*range.from, g), g);
  if (range.to) b.high = FormatBucket(CeilTo(*range.to, g), g);
  return b;
}

std::optional<double> Ratio(int64_t num, int64_t den) {
  if (den == 0) return std::nullopt;
  return static_cast<double>(num) / static_cast<double>(den);
}

Kpis KpisFrom(const Breakdown& totals) {
  Kpis k;
  k.totals = totals;
  k.view_to_cart = Ratio(totals.carts, totals.views);
  k.cart_to_purchase = Ratio(totals.purchases, totals.carts);
  return k;
}

Funnel FunnelFrom(const Breakdown& totals) {
  Funnel f;
  f.views = totals.views;
  f.carts = totals.carts;
  f.purchases = totals.purchases;
  f.view_to_cart = Ratio(f.carts, f.views);
  f.cart_to_purchase = Ratio(f.purchases, f.carts);
  f.view_to_purchase = Ratio(f.purchases, f.views);
  return f;
}

Result<std::optional<SeriesSpan>> SeriesSpanFor(const TimeRange& range, const DataExtent& extent) {
  std::optional<int64_t> start = range.from, end = range.to;
  if (!extent.first_minute.empty()) {
    auto first = ParseMinuteBucket(extent.first_minute);
    auto last = ParseMinuteBucket(extent.last_minute);
    if (!first.ok()) return first.status();
    if (!last.ok()) return last.status();
    if (!start) start = *first;
    if (!end) end = *last + 1;
    // A needlessly wide closed range shrinks to the data it holds, to bound the points.
    constexpr int64_t kMaxDaySpan = 5000 * kMinutesPerDay;
    if (*end - *start > kMaxDaySpan) {
      start = std::max(*start, *first);
      end = std::min(*end, *last + 1);
    }
  }
  if (!start || !end || *start >= *end) return std::optional<SeriesSpan>();
  SeriesSpan span;
  span.start = *start;
  span.end = *end;
  span.granularity = ChooseGranularity(*end - *start);
  span.key_length = span.granularity == Granularity::kMinute ? 16
                    : span.granularity == Granularity::kHour ? 13
                                                             : 10;
  return std::optional<SeriesSpan>(span);
}

TimeSeries FillSeries(const SeriesSpan& span, const std::vector<TimePoint>& found) {
  TimeSeries series;
  const Granularity g = span.granularity;
  series.granularity = g;
  size_t next = 0;
  const int64_t step = GranularityMinutes(g);
  for (int64_t m = FloorTo(span.start, g); m < CeilTo(span.end, g); m += step) {
    TimePoint p{FormatBucket(m, g), {}};
    while (next < found.size() && found[next].bucket < p.bucket) ++next;
    if (next < found.size() && found[next].bucket == p.bucket) p.values = found[next++].values;
    series.points.push_back(std::move(p));
  }
  return series;
}

}  // namespace shopstream
