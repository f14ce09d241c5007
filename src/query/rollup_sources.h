// Where each of the dashboard's queries reads its rows, for a range and a cross-filter: which
// rollup or people tables, which of their buckets, which filter columns. Decided here, once for
// every store; each store spells the placeholders in its dialect and binds `values` to them in
// order. Every source leads with the columns a filter fixes and then the bucket, so that it is
// one index range per table part.
//
// Ranges: without a brand, totals read SplitRange's days, hours and ragged minutes (a
// department is a column of those tables); a brand is kept by hour, so with a brand every
// source reads the hours that overlap the range, or the all-time tables when the range holds
// all the data. Rankings read hours or all-time tables, as they always have; brands over a
// closed range read day-aligned blocks of hours where they fit (BrandHoursSource).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "query/hour_runs.h"
#include "query/query_store.h"
#include "query/rollup_reading.h"

namespace shopstream::query {

// A table or a derived table "(SELECT ...) AS name", with the values of its placeholders.
struct RollupSource {
  std::string from;
  std::vector<std::string> values;  // bound to its placeholders, in order
  std::string what;                 // the tables, for messages
};
// The i-th (0-based) placeholder of the source, spelled as the store's dialect wants it where the
// source goes in its statement ("?", or "$5" after four earlier placeholders).
using Placeholder = std::function<std::string(size_t index)>;
// A side table's name as the store's statement spells it: the plain name (rollup_minute) of
// one of the tables the processed table owns (sql/owned_tables.h), quoted.
using TableName = std::function<std::string(std::string_view plain)>;
// The data's extent, asked only when a closed range may hold all the data.
using ExtentFn = std::function<Result<DataExtent>()>;

// Columns bucket, event_type, department, events, revenue: totals, the mix, the funnel and
// departments. bucket is '' where an all-time table answers.
Result<RollupSource> TotalsSource(const TimeRange& range, const Filter& filter,
                                  const ExtentFn& extent, const Placeholder& placeholder,
                                  const TableName& table);
// The same columns for a time series: buckets no coarser than its points (days for months and
// years; hours with a brand, see AtLeast; rollup_10s for ten seconds, which has no department:
// REQUIRES no department picked then).
RollupSource SeriesSource(const TimeRange& range, const SeriesSpan& span, const Filter& filter,
                          const Placeholder& placeholder, const TableName& table);
// The counts of a wide rollup (event/rollup.h): what brand sources yield after their keys.
inline constexpr std::string_view kWideColumns = "events, views, carts, purchases, revenue";

// Columns brand and kWideColumns. `blocks`: the block tables the store has.
Result<RollupSource> BrandsSource(const TimeRange& range, const Filter& filter,
                                  const ExtentFn& extent, const BlockTables& blocks,
                                  const Placeholder& placeholder, const TableName& table);
// Columns `keys` ("brand", or "bucket, brand") and kWideColumns of rollup_hour_brand's rows
// over the whole hours of `windows` (each [from, to) of whole hours, closed; apart), read as
// HourRuns: blocks of rollup_block_brand_wide and rollup_days_brand_wide where they fit and
// `blocks` has them, single hours elsewhere; a block's bucket is its first hour.
RollupSource BrandHoursSource(std::string_view keys, const std::vector<TimeRange>& windows,
                              const BlockTables& blocks, const Placeholder& placeholder,
                              const TableName& table);
// Columns department, product, event_type, events, revenue.
Result<RollupSource> ProductsSource(const TimeRange& range, const Filter& filter,
                                    const ExtentFn& extent, const Placeholder& placeholder,
                                    const TableName& table);
// Columns users, sessions, viewing, carting, buying: the people sketches (event/people.h) whose
// union answers the range and filter: minutes, hours and days as for totals, all time from
// people_all; with a brand, the days that overlap the range (people keep brands by day).
Result<RollupSource> PeopleSource(const TimeRange& range, const Filter& filter,
                                  const ExtentFn& extent, const Placeholder& placeholder,
                                  const TableName& table);

// The people tables' scope for a filter: "all", "department" or "brand".
const char* PeopleScope(const Filter& filter);

}  // namespace shopstream::query
