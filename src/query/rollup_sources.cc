#include "query/rollup_sources.h"

#include <algorithm>
#include <utility>

#include "event/hour_blocks.h"
#include "event/people.h"
#include "query/hour_runs.h"

namespace shopstream::query {
namespace {

// A SELECT over one table, built left to right so that each value gets the next placeholder.
class Select {
 public:
  Select(RollupSource* source, const Placeholder& placeholder, const TableName& table)
      : source_(source), placeholder_(placeholder), table_(table) {}

  Select& From(std::string_view columns, std::string_view table) {
    source_->from.append("SELECT ").append(columns).append(" FROM ").append(table_(table));
    where_ = false;
    return *this;
  }
  Select& Where(std::string_view column, std::string_view op, std::string value) {
    source_->from.append(where_ ? " AND " : " WHERE ").append(column).append(op);
    source_->from.append(placeholder_(source_->values.size()));
    source_->values.push_back(std::move(value));
    where_ = true;
    return *this;
  }
  Select& Equals(std::string_view column, const std::optional<std::string>& value) {
    return value ? Where(column, " = ", *value) : *this;
  }
  Select& Buckets(const BucketBounds& bounds) {
    return Where("bucket", " >= ", bounds.low).Where("bucket", " < ", bounds.high);
  }

 private:
  RollupSource* source_;
  const Placeholder& placeholder_;
  const TableName& table_;
  bool where_ = false;
};

// True when the range needs no buckets: open, or holding every bucket of the data.
Result<bool> AllOfIt(const TimeRange& range, const ExtentFn& extent) {
  if (!range.from && !range.to) return true;
  auto found = extent();
  if (!found.ok()) return found.status();
  return CoversAll(range, *found);
}

// A brand's rows with `columns`: all time, or the hours overlapping the range.
RollupSource BrandRows(std::string_view columns, bool all_time, const TimeRange& range,
                       const Filter& filter, const Placeholder& placeholder,
                       const TableName& table) {
  RollupSource source{"(", {}, ""};
  Select select(&source, placeholder, table);
  if (all_time) {
    select.From(columns, "rollup_brand_product");
    source.what = "rollup_brand_product";
  } else {
    select.From(columns, "rollup_hour_brand_product");
    source.what = "rollup_hour_brand_product";
  }
  select.Equals("brand", filter.brand).Equals("department", filter.department);
  if (!all_time) select.Buckets(BoundsFor(range, Granularity::kHour));
  source.from += ") AS branded";
  return source;
}

// SplitRange's parts of a range over `prefix`_minute, _hour and _day, UNION ALL.
RollupSource SplitRows(std::string_view columns, const std::string& prefix, const TimeRange& range,
                       Granularity coarsest,
                       const std::vector<std::pair<std::string, std::string>>& equal,
                       const Placeholder& placeholder, const TableName& table) {
  RollupSource source{"(", {}, prefix + "minute, " + prefix + "hour and " + prefix + "day"};
  Select select(&source, placeholder, table);
  bool first = true;
  for (const RollupPart& part : SplitRange(range, coarsest)) {
    // One part alone is flattened by SQLite into the query around it, three times faster than
    // reading through a UNION ALL; the usual "All time" is one part.
    if (!first) source.from += " UNION ALL ";
    first = false;
    select.From(columns, prefix + GranularityName(part.granularity));
    for (const auto& [column, value] : equal) select.Where(column, " = ", value);
    select.Buckets(part.bounds);
  }
  source.from += ") AS split";
  return source;
}

std::vector<std::pair<std::string, std::string>> DepartmentOf(const Filter& filter) {
  if (!filter.department) return {};
  return {{"department", *filter.department}};
}

constexpr std::string_view kTotalsColumns = "bucket, event_type, department, events, revenue";

// A wide rollup's counts (kWideColumns) from a table with a row per event type. The event
// types are this program's constants, not input.
constexpr std::string_view kWideOfTypes =
    "events, CASE WHEN event_type = 'view' THEN events ELSE 0 END AS views,"
    " CASE WHEN event_type = 'cart' THEN events ELSE 0 END AS carts,"
    " CASE WHEN event_type = 'purchase' THEN events ELSE 0 END AS purchases, revenue";

}  // namespace

Result<RollupSource> TotalsSource(const TimeRange& range, const Filter& filter,
                                  const ExtentFn& extent, const Placeholder& placeholder,
                                  const TableName& table) {
  if (filter.brand) {
    auto all = AllOfIt(range, extent);
    if (!all.ok()) return all.status();
    return BrandRows(
        *all ? "'' AS bucket, event_type, department, events, revenue" : kTotalsColumns, *all,
        range, filter, placeholder, table);
  }
  return SplitRows(kTotalsColumns, "rollup_", range, Granularity::kDay, DepartmentOf(filter),
                   placeholder, table);
}

RollupSource SeriesSource(const TimeRange& range, const SeriesSpan& span, const Filter& filter,
                          const Placeholder& placeholder, const TableName& table) {
  if (filter.brand) return BrandRows(kTotalsColumns, false, range, filter, placeholder, table);
  if (span.granularity == Granularity::kTenSeconds) {  // no department: see AtLeast's callers
    RollupSource source{"(", {}, "rollup_10s"};
    Select select(&source, placeholder, table);
    select.From("bucket, event_type, '' AS department, events, revenue", "rollup_10s");
    select.Buckets(BoundsFor(range, Granularity::kTenSeconds));
    source.from += ") AS bucketed";
    return source;
  }
  if (span.granularity == Granularity::kMinute) {
    RollupSource source{"(", {}, "rollup_minute"};
    Select select(&source, placeholder, table);
    select.From(kTotalsColumns, "rollup_minute").Equals("department", filter.department);
    select.Buckets(BoundsFor(range, Granularity::kMinute));
    source.from += ") AS bucketed";
    return source;
  }
  return SplitRows(kTotalsColumns, "rollup_", range, std::min(span.granularity, Granularity::kDay),
                   DepartmentOf(filter), placeholder, table);
}

RollupSource BrandHoursSource(std::string_view keys, const std::vector<TimeRange>& windows,
                              const BlockTables& blocks, const Placeholder& placeholder,
                              const TableName& table) {
  RollupSource source{
      "(", {}, "rollup_hour_brand, rollup_block_brand_wide and rollup_days_brand_wide"};
  Select select(&source, placeholder, table);
  const std::string from_hours = std::string(keys) + ", " + std::string(kWideOfTypes);
  const std::string from_blocks = std::string(keys) + ", " + std::string(kWideColumns);
  bool first = true;
  for (const TimeRange& window : windows) {
    for (const HourRun& run : HourRuns(*window.from, *window.to, blocks)) {
      if (!first) source.from += " UNION ALL ";
      first = false;
      if (run.span == 1) {
        select.From(from_hours, "rollup_hour_brand");
      } else {
        select.From(from_blocks, HourBlockTable(run.span));
        select.Where("hours", " = ", std::string(HourBlockSpanText(run.span)));
      }
      select.Where("bucket", " >= ", FormatHourBucket(run.first));
      select.Where("bucket", " < ", FormatHourBucket(run.end));
    }
  }
  // No hours at all: a read that finds nothing, so that the statement stays whole.
  if (first) {
    select.From(from_hours, "rollup_hour_brand").Where("bucket", " < ", "");
  }
  source.from += ") AS hours";
  return source;
}

Result<RollupSource> BrandsSource(const TimeRange& range, const Filter& filter,
                                  const ExtentFn& extent, const BlockTables& blocks,
                                  const Placeholder& placeholder, const TableName& table) {
  auto all = AllOfIt(range, extent);
  if (!all.ok()) return all.status();
  const std::string columns = "brand, " + std::string(kWideOfTypes);
  if (filter.brand) return BrandRows(columns, *all, range, filter, placeholder, table);
  RollupSource source{"(", {}, ""};
  Select select(&source, placeholder, table);
  if (!filter.department && range.from && range.to && *range.from > kFirstMinute &&
      *range.to < kEndOfTime && !*all) {
    const TimeRange hours{FloorTo(*range.from, Granularity::kHour),
                          CeilTo(*range.to, Granularity::kHour)};
    return BrandHoursSource("brand", {hours}, blocks, placeholder, table);
  }
  if (!filter.department && *all) {
    select.From(columns, "rollup_brand");
    source.what = "rollup_brand";
  } else if (!filter.department) {
    select.From(columns, "rollup_hour_brand").Buckets(BoundsFor(range, Granularity::kHour));
    source.what = "rollup_hour_brand";
  } else if (*all) {
    select.From(columns, "rollup_brand_product").Equals("department", filter.department);
    source.what = "rollup_brand_product";
  } else {
    select.From(columns, "rollup_hour_department_brand").Equals("department", filter.department);
    select.Buckets(BoundsFor(range, Granularity::kHour));
    source.what = "rollup_hour_department_brand";
  }
  source.from += ") AS ranked";
  return source;
}

Result<RollupSource> ProductsSource(const TimeRange& range, const Filter& filter,
                                    const ExtentFn& extent, const Placeholder& placeholder,
                                    const TableName& table) {
  auto all = AllOfIt(range, extent);
  if (!all.ok()) return all.status();
  constexpr std::string_view kColumns = "department, product, event_type, events, revenue";
  if (filter.brand) return BrandRows(kColumns, *all, range, filter, placeholder, table);
  if (!filter.department && *all)
    return RollupSource{table("rollup_product"), {}, "rollup_product"};
  RollupSource source{"(", {}, *all ? "rollup_product" : "rollup_hour_product"};
  Select select(&source, placeholder, table);
  select.From(kColumns, source.what).Equals("department", filter.department);
  if (!*all) select.Buckets(BoundsFor(range, Granularity::kHour));
  source.from += ") AS ranked";
  return source;
}

const char* PeopleScope(const Filter& filter) {
  if (filter.brand) return kScopeBrand;
  return filter.department ? kScopeDepartment : kScopeAll;
}

Result<RollupSource> PeopleSource(const TimeRange& range, const Filter& filter,
                                  const ExtentFn& extent, const Placeholder& placeholder,
                                  const TableName& table) {
  constexpr std::string_view kColumns = "users, sessions, viewing, carting, buying";
  if (filter.brand) {
    // A brand's people are kept by day and department: the union of its departments' rows (one
    // row a day when a department is picked too) over the days that overlap the range.
    RollupSource source{"(", {}, "people_day"};
    Select select(&source, placeholder, table);
    select.From(kColumns, "people_day").Where("scope", " = ", kScopeBrand);
    select.Where("brand", " = ", *filter.brand).Equals("department", filter.department);
    if (range.from || range.to) select.Buckets(BoundsFor(range, Granularity::kDay));
    source.from += ") AS people";
    return source;
  }
  const std::vector<std::pair<std::string, std::string>> scope = {
      {"scope", PeopleScope(filter)},
      {"brand", ""},
      {"department", filter.department.value_or("")}};
  auto all = AllOfIt(range, extent);
  if (!all.ok()) return all.status();
  if (*all) {
    RollupSource source{"(", {}, "people_all"};
    Select select(&source, placeholder, table);
    select.From(kColumns, "people_all");
    for (const auto& [column, value] : scope) select.Where(column, " = ", value);
    source.from += ") AS people";
    return source;
  }
  return SplitRows(kColumns, "people_", range, Granularity::kDay, scope, placeholder, table);
}

}  // namespace shopstream::query
