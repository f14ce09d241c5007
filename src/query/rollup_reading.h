// What every QueryStore does the same way whatever the database: the bucket bounds of a range,
// the span and granularity of a time series and its zero-filled points, and the ratios. Kept
// in one place so that every database gives the same answers. Which tables a query reads is
// rollup_sources.h.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "query/query_store.h"

namespace shopstream::query {

// Bucket-text bounds that select every bucket of granularity `g` overlapping [from, to). An
// open end, and an end at or past kEndOfTime, becomes a text sorting below ("") or above ("~")
// every bucket, so the same SQL and the same primary-key range scan serve open and closed
// ranges.
struct BucketBounds {
  std::string low;
  std::string high;  // exclusive
};
BucketBounds BoundsFor(const TimeRange& range, Granularity g);

// One rollup table's share of a range.
struct RollupPart {
  std::string table;                               // rollup_minute, rollup_hour or rollup_day
  Granularity granularity = Granularity::kMinute;  // the table's buckets
  BucketBounds bounds;
};
// [from, to) as the coarsest whole buckets that fit, up to `coarsest`, with finer ones at the
// ragged ends: a month is 30 day buckets, and 3 days from 10:30 are 30 minutes, 13 hours, 2
// days, and so on, instead of 4,320 minute buckets. REQUIRES coarsest <= kDay (the tables).
std::vector<RollupPart> SplitRange(const TimeRange& range, Granularity coarsest);

// True when the range holds every bucket of the data, so that all-time tables answer it.
bool CoversAll(const TimeRange& range, const DataExtent& extent);

// num / den, empty when den is 0.
std::optional<double> Ratio(int64_t num, int64_t den);

Kpis KpisFrom(const Breakdown& totals);
Funnel FunnelFrom(const Breakdown& totals);

// No time series has more points than this, whatever its range: wide spans get coarser
// buckets (days, then months, then years in groups of 2, 5, 10, 20, ... years).
inline constexpr int64_t kMaxSeriesPoints = 1000;

// The minutes [start, end) a time series shows: the range's ends, or the data's where the
// range is open; a needlessly wide range shrinks to the data. Empty: nothing to show.
struct SeriesSpan {
  int64_t start = 0;
  int64_t end = 0;
  Granularity granularity = Granularity::kMinute;
  int64_t step = 1;  // buckets of `granularity` per point; above 1 only for years
  // The prefix of a bucket that names this granularity's bucket (18 for ten seconds, read from
  // rollup_10s; 16 and less from minute buckets and coarser).
  size_t key_length = 16;
};
// Bucket texts of the extent that name no real minute (a "2019-02-30 10:00" kept by an older
// processor) are read as the last real minute before them (FloorMinuteBucket).
Result<std::optional<SeriesSpan>> SeriesSpanFor(const TimeRange& range, const DataExtent& extent);
// The span with points no finer than `finest` (hours for a brand, which is kept by hour).
SeriesSpan AtLeast(SeriesSpan span, Granularity finest);

// Every point of the span in order (at most kMaxSeriesPoints), each the sum of the rows of
// `found` (sorted by bucket text, keyed by the span's key_length) whose bucket sorts from the
// point's bucket up to the next point's, zeros where none. So a row whose bucket names no
// real time ("2019-02-30") counts in the point before it, and the points add up to the totals
// of the same range.
// Ten-second points are named "YYYY-MM-DD HH:MM:S0" and have step 10 (seconds).
TimeSeries FillSeries(const SeriesSpan& span, const std::vector<TimePoint>& found);

}  // namespace shopstream::query
