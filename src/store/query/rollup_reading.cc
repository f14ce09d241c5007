#include "store/query/rollup_reading.h"

#include <algorithm>
#include <utility>

namespace shopstream {

BucketBounds BoundsFor(const TimeRange& range, Granularity g) {
  BucketBounds b{"", "~"};
  if (range.from) b.low = FormatBucket(FloorTo(*range.from, g), g);
  if (range.to) b.high = FormatBucket(CeilTo(*range.to, g), g);
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
    parts->push_back({SplitTable(g), BoundsFor({from, to}, g)});
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
  parts->push_back({SplitTable(g),
                    {first ? FormatBucket(*first, g) : std::string(),
                     last ? FormatBucket(*last, g) : std::string("~")}});
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

RollupSource SplitSource(const TimeRange& range, Granularity coarsest, Placeholder placeholder) {
  RollupSource source{"(", {}, "rollup_minute, rollup_hour and rollup_day"};
  for (const RollupPart& part : SplitRange(range, coarsest)) {
    // One part alone is flattened by SQLite into the query around it, three times faster than
    // reading through a UNION ALL; the usual "All time" is one part.
    if (!source.bounds.empty()) source.from += " UNION ALL ";
    source.from.append("SELECT bucket, event_type, department, events, revenue FROM ")
        .append(part.table)
        .append(" WHERE bucket >= ")
        .append(placeholder(source.bounds.size()))
        .append(" AND bucket < ")
        .append(placeholder(source.bounds.size() + 1));
    source.bounds.push_back(part.bounds.low);
    source.bounds.push_back(part.bounds.high);
  }
  source.from += ") AS split";
  return source;
}

namespace {

// `table` filtered to the buckets of granularity `g` that overlap the range.
RollupSource BucketedSource(const char* table, Granularity g, const TimeRange& range,
                            Placeholder placeholder) {
  const BucketBounds bounds = BoundsFor(range, g);
  std::string from = "(SELECT * FROM ";
  from.append(table)
      .append(" WHERE bucket >= ")
      .append(placeholder(0))
      .append(" AND bucket < ")
      .append(placeholder(1))
      .append(") AS bucketed");
  return {std::move(from), {bounds.low, bounds.high}, table};
}

}  // namespace

RollupSource SeriesSource(const TimeRange& range, const SeriesSpan& span, Placeholder placeholder) {
  if (span.granularity == Granularity::kMinute) {
    return BucketedSource("rollup_minute", Granularity::kMinute, range, placeholder);
  }
  return SplitSource(range, span.granularity, placeholder);
}

Result<RollupSource> RankingSource(const char* all_time, const char* hourly, const TimeRange& range,
                                   const std::function<Result<DataExtent>()>& extent,
                                   Placeholder placeholder) {
  if (range.from || range.to) {
    auto found = extent();
    if (!found.ok()) return found.status();
    if (!CoversAll(range, *found)) {
      return BucketedSource(hourly, Granularity::kHour, range, placeholder);
    }
  }
  return RollupSource{all_time, {}, all_time};
}

}  // namespace shopstream
