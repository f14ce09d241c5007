// What every QueryStore does the same way whatever the database: the bucket bounds of a range,
// the span and granularity of a time series and its zero-filled points, and the ratios. Kept
// in one place so that the SQLite and MySQL readers give the same answers.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "store/query/query_store.h"

namespace shopstream {

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
  std::string table;  // rollup_minute, rollup_hour or rollup_day
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
  int64_t step = 1;        // buckets of `granularity` per point; above 1 only for years
  size_t key_length = 16;  // the prefix of a minute bucket that names this granularity's bucket
};
// Bucket texts of the extent that name no real minute (a "2019-02-30 10:00" kept by an older
// processor) are read as the last real minute before them (FloorMinuteBucket).
Result<std::optional<SeriesSpan>> SeriesSpanFor(const TimeRange& range, const DataExtent& extent);

// Every point of the span in order (at most kMaxSeriesPoints), each the sum of the rows of
// `found` (sorted by bucket text, keyed by the span's key_length) whose bucket sorts from the
// point's bucket up to the next point's, zeros where none. So a row whose bucket names no
// real time ("2019-02-30") counts in the point before it, and the points add up to the totals
// of the same range.
TimeSeries FillSeries(const SeriesSpan& span, const std::vector<TimePoint>& found);

// Where a query reads its rollup rows: a table, or a derived table with its own bucket bounds.
// Decided here, once for every store; each store spells the placeholders of `from` in its
// dialect and binds `bounds` to them in order.
struct RollupSource {
  std::string from;
  std::vector<std::string> bounds;  // bucket texts, in the order of their placeholders
  std::string what;                 // the tables, for messages
};
// The i-th (0-based) placeholder of the source, spelled as the store's dialect wants it where the
// source goes in its statement ("?", or "$5" after four earlier placeholders).
using Placeholder = std::function<std::string(size_t index)>;

// (bucket, event_type, department, events, revenue) rows of SplitRange(range, coarsest). A
// minute bucket's first 13 characters name its hour and its first 10 its day, so grouping on
// a prefix works across the tables.
RollupSource SplitSource(const TimeRange& range, Granularity coarsest, Placeholder placeholder);
// The rows of a time series: buckets no coarser than its points (days for months and years).
RollupSource SeriesSource(const TimeRange& range, const SeriesSpan& span, Placeholder placeholder);
// The rows of a brand or product ranking: the all-time table when the range holds all the data,
// else the hourly table's hours that overlap the range. `extent` is asked only for a range with
// an end.
Result<RollupSource> RankingSource(const char* all_time, const char* hourly, const TimeRange& range,
                                   const std::function<Result<DataExtent>()>& extent,
                                   Placeholder placeholder);

}  // namespace shopstream
