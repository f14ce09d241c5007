// What every QueryStore does the same way whatever the database: the bucket bounds of a range,
// the span and granularity of a time series and its zero-filled points, and the ratios. Kept
// in one place so that the SQLite and MySQL readers give the same answers.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "store/query/query_store.h"

namespace shopstream {

// Bucket-text bounds that select every bucket of granularity `g` overlapping [from, to). An
// open end becomes a text sorting below ("") or above ("~") every bucket, so the same SQL and
// the same primary-key range scan serve open and closed ranges.
struct BucketBounds {
  std::string low;
  std::string high;  // exclusive
};
BucketBounds BoundsFor(const TimeRange& range, Granularity g);

// num / den, empty when den is 0.
std::optional<double> Ratio(int64_t num, int64_t den);

Kpis KpisFrom(const Breakdown& totals);
Funnel FunnelFrom(const Breakdown& totals);

// The minutes [start, end) a time series shows: the range's ends, or the data's where the
// range is open; a needlessly wide range shrinks to the data. Empty: nothing to show.
struct SeriesSpan {
  int64_t start = 0;
  int64_t end = 0;
  Granularity granularity = Granularity::kMinute;
  size_t key_length = 16;  // the prefix of a minute bucket that names this granularity's bucket
};
Result<std::optional<SeriesSpan>> SeriesSpanFor(const TimeRange& range, const DataExtent& extent);

// Every bucket of the span in order, with the values of `found` (sorted by bucket, keyed by
// the span's bucket text) and zeros elsewhere.
TimeSeries FillSeries(const SeriesSpan& span, const std::vector<TimePoint>& found);

}  // namespace shopstream
