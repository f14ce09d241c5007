#include "sql/schema.h"

#include <array>
#include <tuple>

#include "event/hour_blocks.h"
#include "sql/owned_tables.h"

namespace shopstream::sql {
namespace {

constexpr int kNameWidth = 50;       // department, product, brand
constexpr int kEventTypeWidth = 20;  // event_type
constexpr int kScopeWidth = 20;      // a people table's scope

Column Text(std::string_view name, int width) {
  return {name, ColumnType::kVarchar, width, /*not_null=*/true};
}

// A rollup keyed by `key` columns, with events and revenue.
Table RollupTable(std::string_view name, std::vector<Column> key) {
  Table t{name, std::move(key), {}};
  for (const Column& c : t.columns) t.key.push_back(c.name);
  t.columns.push_back({"events", ColumnType::kBigInt, 0, true});
  t.columns.push_back({"revenue", ColumnType::kDouble, 0, true});
  return t;
}

// A wide rollup (WideTotals): events, then each event type's count, then revenue.
Table WideRollupTable(std::string_view name, std::vector<Column> key) {
  Table t = RollupTable(name, std::move(key));
  t.columns.insert(t.columns.end() - 1, {{"views", ColumnType::kBigInt, 0, true},
                                         {"carts", ColumnType::kBigInt, 0, true},
                                         {"purchases", ColumnType::kBigInt, 0, true}});
  return t;
}

// rollup_hour_brand summed over the `span`-hour blocks as a wide rollup's columns (hours,
// bucket, brand, events, views, carts, purchases, revenue); {blockN} is the block holding an
// hour bucket (BackfillSql).
std::string WideBlocksSql(int span) {
  const std::string hours(HourBlockSpanText(span));
  const std::string block = "{block" + hours + "}";
  return "SELECT '" + hours + "', " + block +
         ", brand, SUM(events),"
         " SUM(CASE WHEN event_type = 'view' THEN events ELSE 0 END),"
         " SUM(CASE WHEN event_type = 'cart' THEN events ELSE 0 END),"
         " SUM(CASE WHEN event_type = 'purchase' THEN events ELSE 0 END), SUM(revenue)"
         " FROM {rollup_hour_brand} GROUP BY " +
         block + ", brand";
}

// INSERT INTO the wide block table `table` of every span of `spans` from rollup_hour_brand.
template <size_t N>
std::string WideBlocksBackfill(std::string_view table, const std::array<int, N>& spans) {
  std::string sql = "INSERT INTO {" + std::string(table) +
                    "}(hours, bucket, brand, events, views, carts, purchases, revenue) ";
  for (size_t i = 0; i < N; ++i) sql += (i ? " UNION ALL " : "") + WideBlocksSql(spans[i]);
  return sql;
}

template <typename Key, typename Less>
void AppendTotals(const std::map<Key, WideTotals, Less>& deltas, std::vector<SqlValue>* values) {
  values->reserve(deltas.size() * (std::tuple_size_v<Key> + 5));
  for (const auto& [key, totals] : deltas) {
    std::apply([&](const auto&... text) { (values->push_back(std::string_view(text)), ...); }, key);
    values->insert(values->end(),
                   {totals.events, totals.views, totals.carts, totals.purchases, totals.revenue});
  }
}

template <typename Key, typename Less>
void AppendTotals(const std::map<Key, Totals, Less>& deltas, std::vector<SqlValue>* values) {
  values->reserve(deltas.size() * (std::tuple_size_v<Key> + 2));
  for (const auto& [key, totals] : deltas) {
    std::apply([&](const auto&... text) { (values->push_back(std::string_view(text)), ...); }, key);
    values->push_back(totals.events);
    values->push_back(totals.revenue);
  }
}

// The class a pointer to member belongs to.
template <typename T>
struct MemberOf;
template <typename Class, typename Member>
struct MemberOf<Member Class::*> {
  using type = Class;
};

// Rollup::ValuesFn for the delta map `kMap` (&RollupDelta::by_minute, ...).
template <auto kMap>
void ValuesOf(const Rollup::Deltas& deltas, std::vector<SqlValue>* values) {
  using Delta = typename MemberOf<decltype(kMap)>::type;
  AppendTotals(std::get<const Delta&>(deltas).*kMap, values);
}

}  // namespace

std::vector<std::string_view> Table::column_names() const {
  std::vector<std::string_view> names;
  for (const Column& c : columns) names.push_back(c.name);
  return names;
}

Table RowsTable(std::string_view name) {
  return {name,
          {{"id", ColumnType::kVarchar, kIdWidth, true},
           {"event_time", ColumnType::kDatetime},
           {"event_type", ColumnType::kVarchar, kEventTypeWidth},
           {"department", ColumnType::kVarchar, kNameWidth},
           {"product", ColumnType::kVarchar, kNameWidth},
           {"brand", ColumnType::kVarchar, kNameWidth},
           {"price", ColumnType::kFloat},
           {"revenue", ColumnType::kFloat}},
          {"id"}};
}

const std::vector<Rollup>& Rollups() {
  // Buckets: 'YYYY-MM-DD HH:MM' (16), 'YYYY-MM-DD HH' (13), 'YYYY-MM-DD' (10). A minute's first
  // 13 characters name its hour, so coarse tables fill from fine ones by prefix.
  static const std::vector<Rollup> rollups = {
      {RollupTable("rollup_minute", {Text("bucket", 16), Text("event_type", kEventTypeWidth),
                                     Text("department", kNameWidth)}),
       "", ValuesOf<&RollupDelta::by_minute>},
      {RollupTable("rollup_hour_brand", {Text("bucket", 13), Text("brand", kNameWidth),
                                         Text("event_type", kEventTypeWidth)}),
       "", ValuesOf<&RollupDelta::by_hour_brand>},
      {RollupTable("rollup_hour_product",
                   {Text("bucket", 13), Text("department", kNameWidth), Text("product", kNameWidth),
                    Text("event_type", kEventTypeWidth)}),
       "", ValuesOf<&RollupDelta::by_hour_product>},
      {RollupTable("rollup_hour", {Text("bucket", 13), Text("event_type", kEventTypeWidth),
                                   Text("department", kNameWidth)}),
       "INSERT INTO {rollup_hour}(bucket, event_type, department, events, revenue)"
       " SELECT SUBSTR(bucket, 1, 13), event_type, department, SUM(events), SUM(revenue)"
       " FROM {rollup_minute} GROUP BY SUBSTR(bucket, 1, 13), event_type, department",
       ValuesOf<&CoarseRollupDelta::by_hour>},
      {RollupTable("rollup_day", {Text("bucket", 10), Text("event_type", kEventTypeWidth),
                                  Text("department", kNameWidth)}),
       "INSERT INTO {rollup_day}(bucket, event_type, department, events, revenue)"
       " SELECT SUBSTR(bucket, 1, 10), event_type, department, SUM(events), SUM(revenue)"
       " FROM {rollup_hour} GROUP BY SUBSTR(bucket, 1, 10), event_type, department",
       ValuesOf<&CoarseRollupDelta::by_day>},
      {RollupTable("rollup_brand",
                   {Text("brand", kNameWidth), Text("event_type", kEventTypeWidth)}),
       "INSERT INTO {rollup_brand}(brand, event_type, events, revenue)"
       " SELECT brand, event_type, SUM(events), SUM(revenue) FROM {rollup_hour_brand}"
       " GROUP BY brand, event_type",
       ValuesOf<&CoarseRollupDelta::by_brand>},
      {RollupTable("rollup_product", {Text("department", kNameWidth), Text("product", kNameWidth),
                                      Text("event_type", kEventTypeWidth)}),
       "INSERT INTO {rollup_product}(department, product, event_type, events, revenue)"
       " SELECT department, product, event_type, SUM(events), SUM(revenue)"
       " FROM {rollup_hour_product} GROUP BY department, product, event_type",
       ValuesOf<&CoarseRollupDelta::by_product>},
      // The cross-filters' rollups (event/cross_filter.h), each led by the column a filter
      // fixes. A store made before them has the rows they need: each is filled once, from the
      // rows or from the first of them.
      {RollupTable("rollup_hour_brand_product",
                   {Text("brand", kNameWidth), Text("bucket", 13), Text("department", kNameWidth),
                    Text("product", kNameWidth), Text("event_type", kEventTypeWidth)}),
       "INSERT INTO {rollup_hour_brand_product}(brand, bucket, department, product, event_type,"
       " events, revenue) SELECT brand, {hour}, department, product, event_type, COUNT(*),"
       " SUM(revenue) FROM {rows} WHERE event_time IS NOT NULL AND event_type IS NOT NULL"
       " AND department IS NOT NULL AND product IS NOT NULL AND brand IS NOT NULL"
       " GROUP BY brand, {hour}, department, product, event_type",
       ValuesOf<&CrossFilterDelta::by_brand_hour_product>},
      {RollupTable("rollup_hour_department_brand",
                   {Text("department", kNameWidth), Text("bucket", 13), Text("brand", kNameWidth),
                    Text("event_type", kEventTypeWidth)}),
       "INSERT INTO {rollup_hour_department_brand}(department, bucket, brand, event_type, events,"
       " revenue) SELECT department, bucket, brand, event_type, SUM(events), SUM(revenue)"
       " FROM {rollup_hour_brand_product} GROUP BY department, bucket, brand, event_type",
       ValuesOf<&CoarseCrossFilterDelta::by_department_hour_brand>},
      {RollupTable("rollup_brand_product",
                   {Text("brand", kNameWidth), Text("department", kNameWidth),
                    Text("product", kNameWidth), Text("event_type", kEventTypeWidth)}),
       "INSERT INTO {rollup_brand_product}(brand, department, product, event_type, events, revenue)"
       " SELECT brand, department, product, event_type, SUM(events), SUM(revenue)"
       " FROM {rollup_hour_brand_product} GROUP BY brand, department, product, event_type",
       ValuesOf<&CoarseCrossFilterDelta::by_brand_product>},
      // Ten seconds (the live pulse, short time series): only the rows hold seconds.
      {RollupTable("rollup_10s", {Text("bucket", 18), Text("event_type", kEventTypeWidth)}),
       "INSERT INTO {rollup_10s}(bucket, event_type, events, revenue) SELECT"
       " SUBSTR({second}, 1, 18), event_type, COUNT(*), SUM(revenue) FROM {rows}"
       " WHERE event_time IS NOT NULL AND event_type IS NOT NULL"
       " GROUP BY SUBSTR({second}, 1, 18), event_type",
       ValuesOf<&RollupDelta::by_ten_seconds>},
      // rollup_hour_brand over day-aligned blocks of 3, 12 and 24 hours (event/hour_blocks.h),
      // one row per brand and block: brand rankings over a day read a few blocks, not 24
      // hours, and a third of the rows a row per event type would be (such tables, without
      // _wide, came before: RetiredRollups).
      {WideRollupTable("rollup_block_brand_wide",
                       {Text("hours", 2), Text("bucket", 13), Text("brand", kNameWidth)}),
       WideBlocksBackfill("rollup_block_brand_wide", kHourBlockSpans),
       ValuesOf<&CoarseRollupDelta::by_block_brand>},
      // The same over blocks of two and four days counted from 1970-01-01: a week's ranking
      // reads two or three of them instead of six days.
      {WideRollupTable("rollup_days_brand_wide",
                       {Text("hours", 2), Text("bucket", 13), Text("brand", kNameWidth)}),
       WideBlocksBackfill("rollup_days_brand_wide", kDayBlockSpans),
       ValuesOf<&CoarseRollupDelta::by_days_brand>},
  };
  return rollups;
}

namespace {

// The bucket of the `span`-hour block holding an hour bucket column `bucket`, as SQL: its day,
// then its first hour (HourBlockOf).
std::string BlockSql(int span, const Dialect& dialect) {
  if (span > 24)
    return dialect.Concat(dialect.DayBlockStart("SUBSTR(bucket, 1, 10)", span / 24), "' 00'");
  auto two_digits = [](int h) { return std::string{char('0' + h / 10), char('0' + h % 10)}; };
  std::string hour = "CASE";
  for (int h = span; h < 24; h += span) {
    hour +=
        " WHEN SUBSTR(bucket, 12, 2) < '" + two_digits(h) + "' THEN '" + two_digits(h - span) + "'";
  }
  hour = span == 24 ? "'00'" : hour + " ELSE '" + two_digits(24 - span) + "' END";
  return dialect.Concat("SUBSTR(bucket, 1, 11)", hour);
}

}  // namespace

std::string BackfillSql(const Rollup& rollup, const Dialect& dialect, const OwnedTables& tables) {
  std::string sql(rollup.backfill_sql);
  std::vector<std::pair<std::string, std::string>> names = {
      {"{rows}", dialect.Quote(tables.rows())},
      {"{hour}", dialect.HourText("event_time")},
      {"{second}", dialect.SecondText("event_time")}};
  for (int span : kHourBlockSpans) {
    names.emplace_back("{block" + std::to_string(span) + "}", BlockSql(span, dialect));
  }
  for (int span : kDayBlockSpans) {
    names.emplace_back("{block" + std::to_string(span) + "}", BlockSql(span, dialect));
  }
  for (const Rollup& other : Rollups()) {
    names.emplace_back("{" + std::string(other.table.name) + "}",
                       dialect.Quote(tables.Name(other.table.name)));
  }
  for (const auto& [name, value] : names) {
    for (size_t at = sql.find(name); at != std::string::npos; at = sql.find(name, at)) {
      sql.replace(at, name.size(), value);
      at += value.size();
    }
  }
  return sql;
}

const std::vector<Table>& PeopleTables() {
  static const std::vector<Table> tables = [] {
    std::vector<Table> out;
    for (const auto& [name, bucket_width] : std::vector<std::pair<std::string_view, int>>{
             {"people_minute", 16}, {"people_hour", 13}, {"people_day", 10}, {"people_all", 0}}) {
      Table t{
          name,
          {Text("scope", kScopeWidth), Text("brand", kNameWidth), Text("department", kNameWidth)},
          {}};
      if (bucket_width > 0) t.columns.push_back(Text("bucket", bucket_width));
      for (const Column& c : t.columns) t.key.push_back(c.name);
      for (std::string_view sketch : {"users", "sessions", "viewing", "carting", "buying"}) {
        t.columns.push_back({sketch, ColumnType::kBlob});
      }
      out.push_back(std::move(t));
    }
    return out;
  }();
  return tables;
}

const Table& OffsetsTable() {
  static const Table table{"stream_offsets",
                           {Text("stream", kStreamWidth),
                            {"partition", ColumnType::kInt, 0, true},
                            {"next_offset", ColumnType::kBigInt, 0, true}},
                           {"stream", "partition"}};
  return table;
}

const Table& PeopleOffsetsTable() {
  static const Table table{"people_offsets",
                           {Text("stream", kStreamWidth),
                            {"partition", ColumnType::kInt, 0, true},
                            {"next_offset", ColumnType::kBigInt, 0, true}},
                           {"stream", "partition"}};
  return table;
}

const Table& StreamIdsTable() {
  static const Table table{
      "stream_ids", {Text("stream", kStreamWidth), Text("id", 64)}, {"stream"}};
  return table;
}

const Table& DeadLettersTable() {
  static const Table table{"dead_letters",
                           {Text("stream", kStreamWidth),
                            {"partition", ColumnType::kInt, 0, true},
                            {"offset", ColumnType::kBigInt, 0, true},
                            {"reason", ColumnType::kText, 0, true},
                            {"payload", ColumnType::kBlob},
                            {"recorded_at", ColumnType::kDatetime, 0, true},
                            // Added in place to older stores (dead_letter_upgrade.h), hence
                            // nullable; every row gets them on write or on upgrade.
                            {"code", ColumnType::kVarchar, kDeadLetterCodeWidth},
                            {"field", ColumnType::kVarchar, kDeadLetterCodeWidth},
                            {"state", ColumnType::kVarchar, kDeadLetterCodeWidth},
                            {"replays", ColumnType::kInt},
                            {"replayed_at", ColumnType::kDatetime},
                            {"policy", ColumnType::kVarchar, kStreamWidth}},
                           {"stream", "partition", "offset"}};
  return table;
}

const Table& AlertsTable() {
  static const Table table{"alerts",
                           {Text("rule", kNameWidth),
                            Text("stream_time", 19),
                            Text("state", kEventTypeWidth),
                            Text("metric", kEventTypeWidth),
                            {"value", ColumnType::kDouble, 0, true},
                            {"threshold", ColumnType::kDouble, 0, true},
                            {"baseline", ColumnType::kDouble, 0, true},
                            {"recorded_at", ColumnType::kDatetime, 0, true}},
                           {"rule", "stream_time", "state"}};
  return table;
}

const Table& StatsTable() {
  static const Table table{"processor_stats",
                           {Text("stream", kStreamWidth),
                            {"batches", ColumnType::kBigInt, 0, true},
                            {"events", ColumnType::kBigInt, 0, true},
                            {"dead_letters", ColumnType::kBigInt, 0, true},
                            {"last_batch_ms", ColumnType::kDouble},
                            {"lag", ColumnType::kBigInt},
                            {"updated_at", ColumnType::kDatetime, 0, true}},
                           {"stream"}};
  return table;
}

std::string CreateTableSql(const Table& table, std::string_view quoted_name, const Dialect& dialect,
                           std::string_view server_options) {
  std::string sql = "CREATE TABLE IF NOT EXISTS ";
  sql.append(quoted_name).append("(");
  for (const Column& c : table.columns) {
    sql += dialect.Quote(c.name) + " " + dialect.TypeName(c.type, c.width);
    if (c.not_null) sql += " NOT NULL";
    sql += ", ";
  }
  sql += "PRIMARY KEY(";
  for (size_t i = 0; i < table.key.size(); ++i) {
    if (i > 0) sql += ", ";
    sql += dialect.Quote(table.key[i]);
  }
  return sql + "))" + dialect.TableOptions() + std::string(server_options);
}

void RollupValuesOf(size_t index, const RollupDelta& delta, const CoarseRollupDelta& coarse,
                    const CrossFilterDelta& cross, const CoarseCrossFilterDelta& cross_coarse,
                    std::vector<SqlValue>* values) {
  values->clear();
  Rollups().at(index).values({delta, coarse, cross, cross_coarse}, values);
}

}  // namespace shopstream::sql
