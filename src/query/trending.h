// Trending, whatever the database: which minutes a sliding window of stream time counts, and the
// ranking of names by their value in it and by how much they rose against the window before.
// Pure functions; the store reads the two windows' groups (query_store.h: QueryTrending).
//
// Windows end with the newest minute holding data (stream time, as the Live tab). Departments
// are kept by minute (rollup_minute, _hour, _day): their window is exactly the last N minutes.
// Brands and products are kept by hour (rollup_hour_brand, rollup_hour_product): their window is
// the last ceil(N / 60) whole hours, the newest one still filling, so a 15-minute window counts
// the newest hour; the answer says so (whole_hours). Every count is exact either way.
#pragma once

#include <cstdint>
#include <vector>

#include "query/query_store.h"

namespace shopstream::query {

// The windows a trend may use, in minutes.
inline constexpr int64_t kTrendWindows[] = {15, 60, 1440};

struct TrendWindows {
  TimeRange current, previous;
  bool whole_hours = false;
};
// REQUIRES window_minutes > 0. `last_minute` is the newest minute holding data.
TrendWindows TrendWindowFor(TrendDimension dimension, int64_t window_minutes, int64_t last_minute);

// The metric's value in a group.
double MetricOf(const Breakdown& values, TrendMetric metric);

// Names of `current` (and `previous`, matched by department and name) ranked: `top` by value in
// the current window (ties by name), `rising` by value - previous among those that rose (ties by
// change, then name). At most `limit` each.
void RankTrends(const std::vector<NamedBreakdown>& current,
                const std::vector<NamedBreakdown>& previous, TrendMetric metric, int limit,
                Trending* out);

// Puts `top` and `rising` in RankTrends's order (for a store that picked them itself).
void SortTrends(Trending* t);

}  // namespace shopstream::query
