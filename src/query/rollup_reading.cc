#include "query/rollup_reading.h"

#include <algorithm>
#include <utility>

namespace shopstream::query {

namespace {

// The text of a lower / upper bound at `minute`: past either end of what four-digit years can
// name, the text that sorts below or above every bucket.
std::string LowText(int64_t minute, Granularity g) {
  return minute <= kFirstMinute ? std::string() : FormatBucket(minute, g);
}
std::string HighText(int64_t minute, Granularity g) {
  return minute >= kEndOfTime ? std::string("~") : FormatBucket(minute, g);
}

}  // namespace

BucketBounds BoundsFor(const TimeRange& range, Granularity g) {
  BucketBounds b{"", "~"};
  if (range.from) b.low = LowText(FloorTo(*range.from, g), g);
  if (range.to) b.high = HighText(CeilTo(*range.to, g), g);
  return b;
}

namespace {

// rollup_minute, rollup_hour, rollup_day.
std::string SplitTable(Granularity g) { return std::string("rollup_") + GranularityName(g); }

Granularity Finer(Granularity g) {
  return g == Granularity::kDay ? Granularity::kHour : Granularity::kMinute;
}

// Appends the parts of [from, to) (from < to where both are given), coarsest first tried.
void AppendSplit(std::optional<int64_t> from, std::optional<int64_t> to, Granularity g,
                 std::vector<RollupPart>* parts) {
  if (g == Granularity::kMinute) {
    parts->push_back({SplitTable(g), g, BoundsFor({from, to}, g)});
    return;
  }
  // Whole buckets run from the first boundary at or after `from` to the last at or before `to`.
  const std::optional<int64_t> first = from ? std::optional(CeilTo(*from, g)) : std::nullopt;
  const std::optional<int64_t> last = to ? std::optional(FloorTo(*to, g)) : std::nullopt;
  if (first && last && *first >= *last) {  // no whole bucket inside
    AppendSplit(from, to, Finer(g), parts);
    return;
  }
  if (from && *from < *first) AppendSplit(from, first, Finer(g), parts);
  parts->push_back(
      {SplitTable(g),
       g,
       {first ? LowText(*first, g) : std::string(), last ? HighText(*last, g) : std::string("~")}});
  if (to && *last < *to) AppendSplit(last, to, Finer(g), parts);
}

}  // namespace

std::vector<RollupPart> SplitRange(const TimeRange& range, Granularity coarsest) {
  std::vector<RollupPart> parts;
  AppendSplit(range.from, range.to, coarsest, &parts);
  return parts;
}

bool CoversAll(const TimeRange& range, const DataExtent& extent) {
  if (!range.from && !range.to) return true;
  if (extent.first_minute.empty()) return true;  // no data: every table answers "nothing"
  const BucketBounds minutes = BoundsFor(range, Granularity::kMinute);
  return minutes.low <= extent.first_minute && extent.last_minute < minutes.high;
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

namespace {

Granularity Coarser(Granularity g) {
  switch (g) {
    case Granularity::kTenSeconds:
      return Granularity::kMinute;
    case Granularity::kMinute:
      return Granularity::kHour;
    case Granularity::kHour:
      return Granularity::kDay;
    case Granularity::kDay:
      return Granularity::kMonth;
    default:
      return Granularity::kYear;
  }
}

size_t KeyLength(Granularity g) {
  switch (g) {
    case Granularity::kTenSeconds:
      return 18;  // YYYY-MM-DD HH:MM:S
    case Granularity::kMinute:
      return 16;  // YYYY-MM-DD HH:MM
    case Granularity::kHour:
      return 13;  // YYYY-MM-DD HH
    case Granularity::kDay:
      return 10;  // YYYY-MM-DD
    case Granularity::kMonth:
      return 7;  // YYYY-MM
    case Granularity::kYear:
      return 4;  // YYYY
  }
  return 16;
}

// The smallest of 1, 2, 5, 10, 20, 50, ... years per point that keeps `years` within the limit,
// with a point to spare for alignment (points start at multiples of the step).
int64_t YearStep(int64_t years) {
  int64_t step = 1;
  for (int64_t decade = 1;; decade *= 10) {
    for (int64_t m : {1, 2, 5}) {
      step = m * decade;
      if (years <= step * (kMaxSeriesPoints - 1)) return step;
    }
  }
}

}  // namespace

Result<std::optional<SeriesSpan>> SeriesSpanFor(const TimeRange& range, const DataExtent& extent) {
  std::optional<int64_t> start = range.from, end = range.to;
  if (!extent.first_minute.empty()) {
    auto first = FloorMinuteBucket(extent.first_minute);
    auto last = FloorMinuteBucket(extent.last_minute);
    if (!first.ok()) return first.status();
    if (!last.ok()) return last.status();
    if (!start) start = *first;
    if (!end) end = *last + 1;
    // A needlessly wide closed range shrinks to the data it holds.
    constexpr int64_t kMaxDaySpan = 5000 * kMinutesPerDay;
    if (*end - *start > kMaxDaySpan) {
      start = std::max(*start, *first);
      end = std::min(*end, *last + 1);
    }
  }
  if (!start || !end) return std::optional<SeriesSpan>();
  start = std::max(*start, kFirstMinute);
  end = std::min(*end, kEndOfTime);
  if (*start >= *end) return std::optional<SeriesSpan>();
  SeriesSpan span;
  span.start = *start;
  span.end = *end;
  Granularity g = ChooseGranularity(*end - *start);
  while (g != Granularity::kYear && CountBuckets(*start, *end, g) > kMaxSeriesPoints) {
    g = Coarser(g);
  }
  span.granularity = g;
  if (g == Granularity::kYear) span.step = YearStep(CountBuckets(*start, *end, g));
  span.key_length = KeyLength(g);
  return std::optional<SeriesSpan>(span);
}

SeriesSpan AtLeast(SeriesSpan span, Granularity finest) {
  if (span.granularity < finest) {
    span.granularity = finest;
    span.step = 1;
    span.key_length = KeyLength(finest);
  }
  return span;
}

namespace {

void Accumulate(Breakdown& into, const Breakdown& v) {
  into.events += v.events;
  into.views += v.views;
  into.carts += v.carts;
  into.purchases += v.purchases;
  into.revenue += v.revenue;
}

// Ten-second points: six a minute, named "YYYY-MM-DD HH:MM:S0", as seconds in steps of 10.
TimeSeries FillTenSeconds(const SeriesSpan& span, const std::vector<TimePoint>& found) {
  TimeSeries series;
  series.granularity = Granularity::kTenSeconds;
  series.step = 10;
  series.points.reserve(
      static_cast<size_t>(CountBuckets(span.start, span.end, series.granularity)));
  size_t next = 0;
  const std::string first = FormatTenSecondBucket(span.start * 60);
  while (next < found.size() && found[next].bucket < first) ++next;  // before the span
  for (int64_t second = span.start * 60; second < span.end * 60; second += 10) {
    const std::string upper = FormatTenSecondBucket(second + 10);
    TimePoint p{FormatTenSecondBucket(second) + "0", {}};
    for (; next < found.size() && found[next].bucket < upper; ++next) {
      Accumulate(p.values, found[next].values);
    }
    series.points.push_back(std::move(p));
  }
  return series;
}

}  // namespace

TimeSeries FillSeries(const SeriesSpan& span, const std::vector<TimePoint>& found) {
  if (span.granularity == Granularity::kTenSeconds) return FillTenSeconds(span, found);
  TimeSeries series;
  const Granularity g = span.granularity;
  series.granularity = g;
  series.step = span.step;
  const int64_t last = BucketIndex(span.end - 1, g);
  int64_t index = BucketIndex(span.start, g);
  index -= ((index % span.step) + span.step) % span.step;  // points start at multiples of step
  size_t next = 0;
  std::string label = LowText(BucketStart(index, g), g);
  while (next < found.size() && found[next].bucket < label) ++next;  // before the span
  for (; index <= last; index += span.step) {
    std::string upper = HighText(BucketStart(index + span.step, g), g);
    TimePoint p{FormatBucket(BucketStart(index, g), g), {}};
    for (; next < found.size() && found[next].bucket < upper; ++next) {
      Accumulate(p.values, found[next].values);
    }
    series.points.push_back(std::move(p));
  }
  return series;
}

}  // namespace shopstream::query
