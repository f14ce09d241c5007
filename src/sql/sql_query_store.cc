#include "sql/sql_query_store.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <condition_variable>
#include <cstdlib>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "common/log.h"
#include "event/people.h"
#include "event/session_funnel.h"
#include "query/rollup_reading.h"
#include "query/rollup_sources.h"
#include "query/trending.h"
#include "sketch/hyperloglog.h"
#include "sql/dead_letter_upgrade.h"
#include "sql/owned_tables.h"

namespace shopstream::sql {
namespace {

// The live view's and trending's vocabulary (query/query_store.h, query/trending.h).
using query::DelayBucket;
using query::ExtentFn;
using query::Filter;
using query::FloorMinuteBucket;
using query::FormatHourBucket;
using query::FormatMinuteBucket;
using query::FormatTenSecondBucket;
using query::kLiveLongMinutes;
using query::kLiveShortMinutes;
using query::kPulsePoints;
using query::LivePeople;
using query::NamedBreakdown;
using query::ParseTenSecondBucket;
using query::Placeholder;
using query::Pulse;
using query::PulsePoint;
using query::RankBy;
using query::SessionFunnel;
using query::SortTrends;
using query::TimeRange;
using query::TrendDimension;
using query::Trending;
using query::TrendMetric;
using query::TrendWindows;

// HTTP threads beyond this many wait for a connection; each query reads a bounded number of
// buckets, so the wait is short.
constexpr size_t kMaxConnections = 8;
// LIMIT takes no "all" everywhere; this many rows is more than any rollup holds.
constexpr int64_t kNoLimit = int64_t{1} << 62;

int64_t Int(const SqlRow& row, size_t col) {
  return row.at(col) ? std::strtoll(row[col]->c_str(), nullptr, 10) : 0;
}
double Real(const SqlRow& row, size_t col) {
  return row.at(col) ? std::strtod(row[col]->c_str(), nullptr) : 0.0;
}
std::string TextOf(const SqlRow& row, size_t col) { return row.at(col).value_or(""); }

query::Breakdown ReadBreakdown(const SqlRow& row, size_t first_col) {
  query::Breakdown b;
  b.events = Int(row, first_col);
  b.views = Int(row, first_col + 1);
  b.carts = Int(row, first_col + 2);
  b.purchases = Int(row, first_col + 3);
  b.revenue = Real(row, first_col + 4);
  return b;
}

// A statement's text and values, built left to right so that each placeholder gets its number
// in the dialect and its value in the same order.
class Query {
 public:
  explicit Query(const Dialect& d) : d_(d) {}
  Query& Sql(std::string_view text) {
    sql_.append(text);
    return *this;
  }
  Query& Value(SqlValue v) {
    sql_ += d_.Placeholder(values_.size());
    values_.push_back(v);
    return *this;
  }
  // Events, views, carts, purchases, revenue of the rows grouped; `named`: as e, v, c, p, r.
  // The breakdown's sums: events, views, carts, purchases, revenue (named e, v, c, p, r). A
  // `wide` source has a column per count (query::kWideColumns); any other a row per event type.
  Query& BreakdownColumns(bool named = false, bool wide = false) {
    static constexpr std::pair<std::string_view, std::string_view> kCounts[] = {
        {"view", "views"}, {"cart", "carts"}, {"purchase", "purchases"}};
    Sql(named ? "COALESCE(SUM(events), 0) AS e" : "COALESCE(SUM(events), 0)");
    for (const auto& [type, column] : kCounts) {
      if (wide) {
        Sql(", COALESCE(SUM(" + std::string(column) + "), 0)");
      } else {
        Sql(", COALESCE(SUM(CASE WHEN event_type = ")
            .Value(type)
            .Sql(" THEN events ELSE 0 END), 0)");
      }
      if (named) Sql(std::string(" AS ") + type[0]);
    }
    return Sql(named ? ", COALESCE(SUM(revenue), 0) AS r" : ", COALESCE(SUM(revenue), 0)");
  }
  // The placeholders of a source that goes next in the statement.
  query::Placeholder NextPlaceholders() const {
    const size_t base = values_.size();
    return [this, base](size_t i) { return d_.Placeholder(base + i); };
  }
  // `source`, made with NextPlaceholders() just before, and its bounds. Values point into it.
  Query& From(const query::RollupSource& source) {
    sql_ += " FROM " + source.from;
    for (const std::string& value : source.values) values_.push_back(std::string_view(value));
    return *this;
  }
  const std::string& sql() const { return sql_; }
  const std::vector<SqlValue>& values() const { return values_; }

 private:
  const Dialect& d_;
  std::string sql_;
  std::vector<SqlValue> values_;
};

// A connection of the pool with its prepared statements, which go before it.
struct PooledConnection {
  std::unique_ptr<SqlConnection> conn;
  std::map<std::string, std::unique_ptr<SqlStatement>> statements;  // by SQL text

  Result<std::vector<SqlRow>> Run(const std::string& sql, const std::vector<SqlValue>& values,
                                  const std::string& what) {
    auto it = statements.find(sql);
    if (it == statements.end()) {
      auto stmt = conn->Prepare(sql, what);
      if (!stmt.ok()) return stmt.status();
      it = statements.emplace(sql, std::move(stmt).value()).first;
    }
    return it->second->Query(values);
  }
};

class SqlQueryStore final : public query::QueryStore {
 public:
  SqlQueryStore(std::unique_ptr<SqlDatabase> db, std::unique_ptr<const OwnedTables> tables)
      : db_(std::move(db)), tables_(std::move(tables)) {}

  Result<query::Kpis> QueryKpis(const query::TimeRange& range,
                                const query::Filter& filter) override {
    auto totals = Totals(range, filter);
    if (!totals.ok()) return totals.status();
    return query::KpisFrom(*totals);
  }

  Result<query::TimeSeries> QueryTimeSeries(const query::TimeRange& range,
                                            const query::Filter& filter) override {
    auto extent = QueryExtent();  // connects, so the dialect is known below
    if (!extent.ok()) return extent.status();
    auto found_span = query::SeriesSpanFor(range, *extent);
    if (!found_span.ok()) return found_span.status();
    if (!found_span->has_value()) return query::TimeSeries{};
    // A brand is kept by hour: its points are hours at the finest; ten seconds keep no
    // department.
    const query::SeriesSpan span = filter.brand ? AtLeast(**found_span, query::Granularity::kHour)
                                   : filter.department
                                       ? AtLeast(**found_span, query::Granularity::kMinute)
                                       : **found_span;
    Query q(dialect());
    q.Sql("SELECT SUBSTR(bucket, 1, ").Value(static_cast<int64_t>(span.key_length));
    q.Sql(") AS b, ").BreakdownColumns();
    const query::RollupSource source =
        SeriesSource(range, span, filter, q.NextPlaceholders(), Tables());
    q.From(source).Sql(" GROUP BY b ORDER BY b");
    auto rows = Run(q, "reading " + source.what + " by time");
    if (!rows.ok()) return rows.status();
    std::vector<query::TimePoint> found;
    found.reserve(rows->size());
    for (const SqlRow& row : *rows) found.push_back({TextOf(row, 0), ReadBreakdown(row, 1)});
    return query::FillSeries(span, found);
  }

  Result<std::vector<query::NamedBreakdown>> QueryDepartments(
      const query::TimeRange& range, const query::Filter& filter) override {
    return Grouped(
        "department", "",
        [&](const query::Placeholder& p) {
          return TotalsSource(range, filter, Extent(), p, Tables());
        },
        query::RankBy::kRevenue, kNoLimit);
  }

  Result<std::vector<query::NamedBreakdown>> QueryTopBrands(const query::TimeRange& range,
                                                            const query::Filter& filter,
                                                            query::RankBy by, int limit) override {
    return Grouped(
        "brand", "", [&](const query::Placeholder& p) { return Brands(range, filter, p); }, by,
        limit, /*wide=*/true);
  }

  Result<std::vector<query::NamedBreakdown>> QueryTopProducts(const query::TimeRange& range,
                                                              const query::Filter& filter,
                                                              query::RankBy by,
                                                              int limit) override {
    return Grouped(
        "product", "department",
        [&](const query::Placeholder& p) {
          return ProductsSource(range, filter, Extent(), p, Tables());
        },
        by, limit);
  }

  // Both rankings from one grouping of the rows (the grouping is most of the cost: a week of
  // rollup_hour_brand is ~90,000 rows at 1M events a month), each ordered as Grouped orders it.
  Result<query::Rankings> QueryRankings(const query::TimeRange& range, const query::Filter& filter,
                                        bool products, int limit) override {
    const bool cte = dialect().computes_cte_once();
    Query q(dialect());
    q.Sql(std::string(cte ? "WITH g AS ("
                          : "SELECT k, e, v, c, p, r, d, rr, rv FROM (SELECT g.*,"
                            " ROW_NUMBER() OVER (ORDER BY r DESC, e DESC, k, d) AS rr,"
                            " ROW_NUMBER() OVER (ORDER BY v DESC, r DESC, k, d) AS rv"
                            " FROM (") +
          "SELECT " + (products ? "product" : "brand") + " AS k, ");
    q.BreakdownColumns(/*named=*/true, /*wide=*/!products)
        .Sql(products ? ", department AS d" : ", '' AS d");
    auto source = products ? ProductsSource(range, filter, Extent(), q.NextPlaceholders(), Tables())
                           : Brands(range, filter, q.NextPlaceholders());
    if (!source.ok()) return source.status();
    q.From(*source).Sql(products ? " GROUP BY department, product" : " GROUP BY brand");
    const int64_t n = limit < 0 ? kNoLimit : limit;
    if (cte) {
      // UNION ALL keeps no order across its parts: the outer ORDER BY puts each back in its own.
      q.Sql(
          ") SELECT * FROM (SELECT * FROM (SELECT 0 AS part, k, e, v, c, p, r, d FROM g"
          " ORDER BY r DESC, e DESC, k, d LIMIT ");
      q.Value(n);
      q.Sql(
          ") AS by_revenue UNION ALL SELECT * FROM (SELECT 1 AS part, k, e, v, c, p, r, d FROM g"
          " ORDER BY v DESC, r DESC, k, d LIMIT ");
      q.Value(n);
      q.Sql(
          ") AS by_views) AS both_parts ORDER BY part, CASE WHEN part = 0 THEN r ELSE v END DESC,"
          " CASE WHEN part = 0 THEN e ELSE r END DESC, k, d");
    } else {
      // A database that would group once per reference of a CTE (MariaDB) groups once here
      // and numbers the groups in both orders; the rows in either top n come back.
      q.Sql(") AS g) AS ranked WHERE rr <= ");
      q.Value(n).Sql(" OR rv <= ").Value(n);
    }
    auto rows = Run(q, "reading " + source->what);
    if (!rows.ok()) return rows.status();
    query::Rankings out;
    if (cte) {
      for (const SqlRow& row : *rows) {
        (Int(row, 0) == 0 ? out.by_revenue : out.by_views)
            .push_back({TextOf(row, 1), TextOf(row, 7), ReadBreakdown(row, 2)});
      }
      return out;
    }
    // Each ranking in its place: row numbers 1..n, as many as there are groups.
    auto place = [](std::vector<query::NamedBreakdown>& list, int64_t rank,
                    query::NamedBreakdown value) {
      if (list.size() < static_cast<size_t>(rank)) list.resize(static_cast<size_t>(rank));
      list[static_cast<size_t>(rank - 1)] = std::move(value);
    };
    for (const SqlRow& row : *rows) {
      query::NamedBreakdown named{TextOf(row, 0), TextOf(row, 6), ReadBreakdown(row, 1)};
      if (Int(row, 7) <= n) place(out.by_revenue, Int(row, 7), named);
      if (Int(row, 8) <= n) place(out.by_views, Int(row, 8), std::move(named));
    }
    return out;
  }

  Result<std::vector<query::EventTypeCount>> QueryEventMix(const query::TimeRange& range,
                                                           const query::Filter& filter) override {
    Query q(dialect());
    q.Sql("SELECT event_type, SUM(events) AS n");
    auto source = query::TotalsSource(range, filter, Extent(), q.NextPlaceholders(), Tables());
    if (!source.ok()) return source.status();
    q.From(*source).Sql(" GROUP BY event_type ORDER BY n DESC, event_type");
    auto rows = Run(q, "reading " + source->what + " by event type");
    if (!rows.ok()) return rows.status();
    std::vector<query::EventTypeCount> mix;
    for (const SqlRow& row : *rows) mix.push_back({TextOf(row, 0), Int(row, 1)});
    return mix;
  }

  Result<query::Funnel> QueryFunnel(const query::TimeRange& range,
                                    const query::Filter& filter) override {
    auto totals = Totals(range, filter);
    if (!totals.ok()) return totals.status();
    return query::FunnelFrom(*totals);
  }

  Result<query::People> QueryPeople(const query::TimeRange& range,
                                    const query::Filter& filter) override {
    Query q(dialect());
    q.Sql("SELECT users, sessions, viewing, carting, buying");
    auto source = query::PeopleSource(range, filter, Extent(), q.NextPlaceholders(), Tables());
    if (!source.ok()) return source.status();
    q.From(*source);
    auto rows = Run(q, "reading " + source->what);
    if (!rows.ok()) return rows.status();
    PeopleSketches merged;
    for (const SqlRow& row : *rows) {
      sketch::HyperLogLog* into[] = {&merged.users, &merged.sessions, &merged.viewing,
                                     &merged.carting, &merged.buying};
      for (size_t c = 0; c < 5; ++c) {
        if (Status s = MergeSketch(row, c, source->what, *into[c]); !s.ok()) return s;
      }
    }
    query::People people;
    people.users = std::llround(merged.users.Estimate());
    people.sessions = std::llround(merged.sessions.Estimate());
    people.viewing = std::llround(merged.viewing.Estimate());
    people.carting = std::llround(merged.carting.Estimate());
    people.buying = std::llround(merged.buying.Estimate());
    auto totals = Totals(range, filter);
    if (!totals.ok()) return totals.status();
    people.events = totals->events;
    people.events_per_session = query::Ratio(people.events, people.sessions);
    people.view_to_cart = query::Ratio(people.carting, people.viewing);
    people.cart_to_purchase = query::Ratio(people.buying, people.carting);
    people.session_conversion = query::Ratio(people.buying, people.sessions);
    // Counted from the first minute a processor that keeps people wrote.
    Query since(dialect());
    since.Sql("SELECT MIN(bucket) FROM " + Table("people_minute") + " WHERE scope = ")
        .Value(std::string_view(kScopeAll))
        .Sql(" AND department = ")
        .Value(std::string_view(""))
        .Sql(" AND brand = ")
        .Value(std::string_view(""));
    auto first = Run(since, "reading people_minute");
    if (!first.ok()) return first.status();
    if (!first->empty()) people.counted_since = TextOf(first->front(), 0);
    return people;
  }

  // The newest ten-second bucket and the kPulsePoints up to it: two reads of rollup_10s's key
  // (its last entry, then a range of at most three rows a bucket).
  Result<SessionFunnel> QuerySessionFunnel(const query::TimeRange& range,
                                           int64_t window_minutes) override {
    SessionFunnel out;
    out.window_minutes = window_minutes;
    if (range.from) out.from_hour = query::FormatHourBucket(*range.from);
    if (range.to) out.to_hour = query::FormatHourBucket(*range.to - 1);
    // The hours that overlap the range, for one window.
    auto where = [&](Query& q) -> Query& {
      q.Sql(" WHERE window_minutes = ").Value(window_minutes);
      if (!out.from_hour.empty()) q.Sql(" AND bucket >= ").Value(std::string_view(out.from_hour));
      if (!out.to_hour.empty()) q.Sql(" AND bucket <= ").Value(std::string_view(out.to_hour));
      return q;
    };
    Query counts(dialect());
    counts.Sql(
        "SELECT COALESCE(SUM(viewed), 0), COALESCE(SUM(carted), 0), "
        "COALESCE(SUM(bought), 0) FROM " +
        Table("funnel_hour"));
    auto found = Run(where(counts), "reading funnel_hour");
    if (!found.ok()) return found.status();
    if (!found->empty()) {
      out.viewed = Int(found->front(), 0);
      out.carted = Int(found->front(), 1);
      out.bought = Int(found->front(), 2);
    }
    auto ratio = [](int64_t a, int64_t b) {
      return b > 0 ? std::optional<double>(static_cast<double>(a) / b) : std::nullopt;
    };
    out.view_to_cart = ratio(out.carted, out.viewed);
    out.cart_to_purchase = ratio(out.bought, out.carted);
    out.view_to_purchase = ratio(out.bought, out.viewed);
    Query delays(dialect());
    delays.Sql("SELECT delay_seconds, SUM(sessions) FROM " + Table("funnel_delay_hour"));
    where(delays).Sql(" GROUP BY delay_seconds");
    auto rows = Run(delays, "reading funnel_delay_hour");
    if (!rows.ok()) return rows.status();
    for (int64_t lower : kFunnelDelayBuckets) {
      DelayBucket b{lower, 0};
      for (const SqlRow& row : *rows) {
        if (Int(row, 0) == lower) b.sessions = Int(row, 1);
      }
      out.delays.push_back(b);
    }
    return out;
  }

  Result<Pulse> QueryPulse() override {
    const std::string table = Table("rollup_10s");
    Query newest(dialect());
    newest.Sql("SELECT MAX(bucket) FROM " + table);
    auto found = Run(newest, "reading rollup_10s");
    if (!found.ok()) return found.status();
    Pulse pulse;
    if (found->empty() || !found->front().at(0)) return pulse;
    const std::string last = TextOf(found->front(), 0);
    auto last_second = ParseTenSecondBucket(last);
    if (!last_second.ok()) return last_second.status();
    const int64_t first_second = *last_second - (kPulsePoints - 1) * 10;
    const std::string first = FormatTenSecondBucket(first_second);
    Query q(dialect());
    q.Sql("SELECT bucket, SUM(events) FROM " + table + " WHERE bucket >= ")
        .Value(std::string_view(first))
        .Sql(" AND bucket <= ")
        .Value(std::string_view(last))
        .Sql(" GROUP BY bucket ORDER BY bucket");
    auto rows = Run(q, "reading rollup_10s");
    if (!rows.ok()) return rows.status();
    pulse.as_of = last + "0";
    size_t next = 0;
    for (int i = 0; i < kPulsePoints; ++i) {
      const std::string bucket = FormatTenSecondBucket(first_second + i * 10);
      PulsePoint point{bucket + "0", 0};
      for (; next < rows->size() && TextOf((*rows)[next], 0) <= bucket; ++next) {
        if (TextOf((*rows)[next], 0) == bucket) point.events += Int((*rows)[next], 1);
      }
      pulse.points.push_back(std::move(point));
    }
    return pulse;
  }

  // One read of the last kLiveLongMinutes minutes' sketches of everyone (people_minute, scope
  // "all"): each minute's users, and the unions of the last 5 and 30 minutes.
  Result<LivePeople> QueryLivePeople() override {
    auto extent = QueryExtent();
    if (!extent.ok()) return extent.status();
    LivePeople live;
    if (extent->last_minute.empty()) return live;
    auto last = FloorMinuteBucket(extent->last_minute);
    if (!last.ok()) return last.status();
    const int64_t first = *last - (kLiveLongMinutes - 1);
    const std::string low = FormatMinuteBucket(first), high = FormatMinuteBucket(*last + 1);
    Query q(dialect());
    q.Sql("SELECT bucket, users, sessions FROM " + Table("people_minute") + " WHERE scope = ")
        .Value(std::string_view(kScopeAll))
        .Sql(" AND brand = ")
        .Value(std::string_view(""))
        .Sql(" AND department = ")
        .Value(std::string_view(""))
        .Sql(" AND bucket >= ")
        .Value(std::string_view(low))
        .Sql(" AND bucket < ")
        .Value(std::string_view(high))
        .Sql(" ORDER BY bucket");
    auto rows = Run(q, "reading people_minute");
    if (!rows.ok()) return rows.status();
    live.as_of = FormatMinuteBucket(*last);
    const std::string short_low = FormatMinuteBucket(*last - (kLiveShortMinutes - 1));
    sketch::HyperLogLog users_5m, sessions_5m, users_30m, sessions_30m;
    std::map<std::string, int64_t> per_minute;
    for (const SqlRow& row : *rows) {
      sketch::HyperLogLog users, sessions;
      if (Status s = MergeSketch(row, 1, "people_minute", users); !s.ok()) return s;
      if (Status s = MergeSketch(row, 2, "people_minute", sessions); !s.ok()) return s;
      const std::string bucket = TextOf(row, 0);
      per_minute[bucket] = std::llround(users.Estimate());
      if (bucket >= short_low) {
        users_5m.Merge(users);
        sessions_5m.Merge(sessions);
      }
      users_30m.Merge(users);
      sessions_30m.Merge(sessions);
    }
    live.users_5m = std::llround(users_5m.Estimate());
    live.sessions_5m = std::llround(sessions_5m.Estimate());
    live.users_30m = std::llround(users_30m.Estimate());
    live.sessions_30m = std::llround(sessions_30m.Estimate());
    for (int64_t m = first; m <= *last; ++m) {
      const std::string bucket = FormatMinuteBucket(m);
      auto it = per_minute.find(bucket);
      live.users_per_minute.push_back({bucket, it == per_minute.end() ? 0 : it->second});
    }
    return live;
  }

  // Both windows' groups, every name of each (a window holds at most its hours' rows of
  // rollup_hour_brand or rollup_hour_product, or its days, hours and minutes of departments).
  Result<Trending> QueryTrending(TrendDimension dimension, int64_t window_minutes,
                                 TrendMetric metric, int limit) override {
    auto extent = QueryExtent();
    if (!extent.ok()) return extent.status();
    Trending trending;
    if (extent->last_minute.empty()) return trending;
    auto last = FloorMinuteBucket(extent->last_minute);
    if (!last.ok()) return last.status();
    const TrendWindows w = TrendWindowFor(dimension, window_minutes, *last);
    trending.from = FormatMinuteBucket(*w.current.from);
    trending.to = FormatMinuteBucket(*w.current.to);
    trending.previous_from = FormatMinuteBucket(*w.previous.from);
    trending.whole_hours = w.whole_hours;
    if (dimension != TrendDimension::kDepartment) {
      if (Status s = RankHourly(dimension, w, metric, limit, &trending); !s.ok()) return s;
      return trending;
    }
    auto groups = [&](const TimeRange& range) {
      return Grouped(
          "department", "",
          [&](const Placeholder& p) {
            return TotalsSource(range, Filter{}, Extent(), p, Tables());
          },
          RankBy::kRevenue, kNoLimit);
    };
    auto current = groups(w.current);
    if (!current.ok()) return current.status();
    auto previous = groups(w.previous);
    if (!previous.ok()) return previous.status();
    RankTrends(*current, *previous, metric, limit, &trending);
    return trending;
  }

  // Brands or products over whole hours, ranked by the database in one pass over both windows'
  // hours of rollup_hour_product (brands: their hours and blocks, BrandHoursSource): each name's
  // value in the current and the previous window, then the top `limit` by value and the top `limit`
  // by rise, so that only 2 x limit rows leave the database (it was every name of both windows,
  // ~4,000 brands a day). The order is RankTrends's (trending.h): ties by change, a new name first,
  // then name.
  Status RankHourly(TrendDimension dimension, const TrendWindows& w, TrendMetric metric, int limit,
                    Trending* out) {
    const bool products = dimension == TrendDimension::kProduct;
    const std::string table = Table(products ? "rollup_hour_product" : "rollup_hour_brand");
    const std::string keys = products ? "department, product" : "'' AS department, brand";
    const std::string group = products ? "department, product" : "brand";
    const std::string current = FormatHourBucket(*w.current.from);
    static constexpr std::string_view kTypes[] = {"view", "cart", "purchase", "purchase"};
    // Products: a row per event type; brands: a column per count (BrandHoursSource).
    static constexpr const char* kBrandColumns[] = {"views", "carts", "purchases", "revenue"};
    const char* value = !products                         ? kBrandColumns[static_cast<int>(metric)]
                        : metric == TrendMetric::kRevenue ? "revenue"
                                                          : "events";
    Query q(dialect());
    q.Sql("WITH g AS (SELECT " + keys + " AS name, SUM(CASE WHEN bucket >= ")
        .Value(std::string_view(current))
        .Sql(std::string(" THEN ") + value + " ELSE 0 END) AS cur, SUM(CASE WHEN bucket < ")
        .Value(std::string_view(current))
        .Sql(std::string(" THEN ") + value + " ELSE 0 END) AS prev");
    const std::string low = FormatHourBucket(*w.previous.from);
    const std::string high = FormatHourBucket(*w.current.to);
    const std::string_view type = kTypes[static_cast<int>(metric)];
    // Brands: each window's hours as blocks where they fit, so that a block never straddles
    // the two windows.
    query::RollupSource brand_hours;
    auto blocks = products ? Result<query::BlockTables>(query::BlockTables{}) : Blocks();
    if (!blocks.ok()) return blocks.status();
    if (products) {
      q.Sql(" FROM " + table + " WHERE bucket >= ")
          .Value(std::string_view(low))
          .Sql(" AND bucket < ")
          .Value(std::string_view(high))
          .Sql(" AND event_type = ")
          .Value(type);
    } else {
      brand_hours = query::BrandHoursSource("bucket, brand", {w.previous, w.current}, *blocks,
                                            q.NextPlaceholders(), Tables());
      q.From(brand_hours);
    }
    q.Sql(" GROUP BY " + group + ")");
    q.Sql(
         " SELECT 0, department, name, cur, prev FROM (SELECT * FROM g WHERE cur > 0"
         " ORDER BY cur DESC, name, department LIMIT ")
        .Value(int64_t{limit})
        .Sql(
            ") AS top_names UNION ALL SELECT 1, department, name, cur, prev FROM (SELECT * FROM g"
            " WHERE cur > prev ORDER BY cur - prev DESC, CASE WHEN prev = 0 THEN 1 ELSE 0 END"
            " DESC, CASE WHEN prev = 0 THEN 0 ELSE cur * 1.0 / prev END DESC, name, department"
            " LIMIT ")
        .Value(int64_t{limit})
        .Sql(") AS rising_names");
    auto rows = Run(q, "reading " + table);
    if (!rows.ok()) return rows.status();
    for (const SqlRow& row : *rows) {
      query::TrendItem item{TextOf(row, 2), TextOf(row, 1), Real(row, 3), Real(row, 4),
                            std::nullopt};
      if (item.previous != 0) item.change = (item.value - item.previous) / item.previous;
      (Int(row, 0) == 0 ? out->top : out->rising).push_back(std::move(item));
    }
    // UNION ALL keeps no order across its parts: each part's own order is restored here.
    SortTrends(out);
    return Status::Ok();
  }

  // Three small reads of the alerts table (a row per change): the newest changes, each rule's
  // latest change (firing when it fired), and how often each rule fired.
  Result<query::AlertReport> QueryAlerts(int limit) override {
    const std::string table = Table("alerts");
    // A store kept by an older processor has no alerts table: not an error of the request.
    auto conn = Acquire();
    if (!conn.ok()) return conn.status();
    const SqlValue name = std::string_view(tables_->Name("alerts"));
    auto found = (*conn)->Run(dialect().TableExistsQuery(), {name}, "looking up tables");
    Release(std::move(conn).value());
    if (!found.ok()) return found.status();
    if (found->empty() || Int(found->front(), 0) == 0) {
      return Status::NotFound("this store keeps no alerts yet (shopstream process --alerts)");
    }
    constexpr const char* kColumns = "rule, state, stream_time, metric, value, threshold, baseline";
    const auto change = [](const SqlRow& row) {
      return query::AlertChange{TextOf(row, 0), TextOf(row, 1), TextOf(row, 2), TextOf(row, 3),
                                Real(row, 4),   Real(row, 5),   Real(row, 6)};
    };
    query::AlertReport report;
    Query history(dialect());
    history
        .Sql(std::string("SELECT ") + kColumns + " FROM " + table +
             " ORDER BY stream_time DESC, state DESC, rule LIMIT ")
        .Value(int64_t{limit});
    auto rows = Run(history, "reading alerts");
    if (!rows.ok()) return rows.status();
    for (const SqlRow& row : *rows) report.history.push_back(change(row));
    Query latest(dialect());
    latest.Sql(std::string("SELECT ") + kColumns + " FROM " + table +
               " a WHERE stream_time = (SELECT MAX(stream_time) FROM " + table +
               " b WHERE b.rule = a.rule) ORDER BY rule, state");
    rows = Run(latest, "reading alerts");
    if (!rows.ok()) return rows.status();
    for (const SqlRow& row : *rows) {
      query::AlertChange c = change(row);
      // A rule that fired and resolved at one boundary has both rows: resolved wins.
      if (!report.firing.empty() && report.firing.back().rule == c.rule) report.firing.pop_back();
      if (c.state == "fired") report.firing.push_back(std::move(c));
    }
    Query counts(dialect());
    counts.Sql("SELECT rule, COUNT(*) FROM " + table + " WHERE state = ")
        .Value(std::string_view("fired"))
        .Sql(" GROUP BY rule ORDER BY rule");
    rows = Run(counts, "reading alerts");
    if (!rows.ok()) return rows.status();
    for (const SqlRow& row : *rows) report.fired_total.emplace_back(TextOf(row, 0), Int(row, 1));
    return report;
  }

  Result<query::DataExtent> QueryExtent() override {
    // Two subqueries: SQLite reads one end of the key for a lone MIN or MAX, but scans the
    // whole table for both in one SELECT (160 ms at 10M events).
    Query q(dialect());
    const std::string minutes = Table("rollup_minute");
    q.Sql("SELECT (SELECT MIN(bucket) FROM " + minutes + "), (SELECT MAX(bucket) FROM " + minutes +
          ")");
    auto rows = Run(q, "reading rollup_minute");
    if (!rows.ok()) return rows.status();
    if (rows->empty()) return query::DataExtent{};
    return query::DataExtent{TextOf(rows->front(), 0), TextOf(rows->front(), 1)};
  }

  Result<query::ProcessorStatus> QueryProcessorStatus() override {
    Query q(dialect());
    q.Sql("SELECT stream, batches, events, dead_letters, last_batch_ms, " + dialect().Quote("lag") +
          ", updated_at FROM " + Table("processor_stats") + " ORDER BY stream");
    auto rows = Run(q, "reading processor_stats");
    if (!rows.ok()) return rows.status();
    query::ProcessorStatus status;
    for (const SqlRow& r : *rows) {
      status.streams.push_back(
          {TextOf(r, 0), Int(r, 1), Int(r, 2), Int(r, 3), Real(r, 4), Int(r, 5), TextOf(r, 6)});
    }
    Query count(dialect());
    count.Sql("SELECT COUNT(*) FROM " + Table("dead_letters"));
    auto counted = Run(count, "counting dead_letters");
    if (!counted.ok()) return counted.status();
    status.dead_letters_stored = counted->empty() ? 0 : Int(counted->front(), 0);
    Query by_code(dialect());
    by_code.Sql("SELECT code, COUNT(*) AS n FROM " + Table("dead_letters") +
                " WHERE code IS NOT NULL GROUP BY code ORDER BY n DESC, code");
    // A store whose dead letters have no code column yet reads without the counts by code.
    if (auto codes = Run(by_code, "counting dead letters by code"); codes.ok()) {
      for (const SqlRow& r : *codes)
        status.dead_letters_by_code.emplace_back(TextOf(r, 0), Int(r, 1));
    }
    return status;
  }

  Result<query::DeadLetterReport> QueryDeadLetters(const query::DeadLetterQuery& wanted) override {
    const Dialect& d = dialect();
    // " WHERE ..." of the query's filters, added to `q`.
    auto where = [&](Query& q) {
      bool first = true;
      for (const auto& [column, value] :
           {std::pair<const char*, const std::string*>{"code", &wanted.code},
            {"stream", &wanted.stream},
            {"state", &wanted.state}}) {
        if (value->empty()) continue;
        q.Sql(std::string(first ? " WHERE " : " AND ") + column + " = ")
            .Value(std::string_view(*value));
        first = false;
      }
    };
    query::DeadLetterReport report;
    Query counts(d);
    counts.Sql(
        "SELECT code, field, stream, state, COUNT(*) AS n, MIN(recorded_at), MAX(recorded_at) "
        "FROM " +
        Table("dead_letters"));
    where(counts);
    counts.Sql(" GROUP BY code, field, stream, state ORDER BY n DESC, code, field, stream, state");
    auto rows = Run(counts, "counting dead letters");
    if (!rows.ok()) return ExplainDeadLetters(rows.status());
    for (const SqlRow& r : *rows) {
      report.counts.push_back({TextOf(r, 0), TextOf(r, 1), TextOf(r, 2), TextOf(r, 3), Int(r, 4),
                               TextOf(r, 5), TextOf(r, 6)});
    }
    const std::string hour = d.HourText("recorded_at");
    Query hours(d);
    hours.Sql("SELECT " + hour + " AS h, code, COUNT(*) FROM " + Table("dead_letters"));
    where(hours);
    hours.Sql(" GROUP BY " + hour + ", code ORDER BY h, code");
    rows = Run(hours, "counting dead letters by hour");
    if (!rows.ok()) return rows.status();
    for (const SqlRow& r : *rows) report.by_hour.push_back({TextOf(r, 0), TextOf(r, 1), Int(r, 2)});
    Query newest(d);
    newest.Sql("SELECT stream, " + d.Quote("partition") + ", " + d.Quote("offset") +
               ", replays, code, field, state, reason, payload, recorded_at FROM " +
               Table("dead_letters"));
    where(newest);
    newest.Sql(" ORDER BY recorded_at DESC, stream, " + d.Quote("partition") + ", " +
               d.Quote("offset") + " DESC LIMIT " +
               std::to_string(std::clamp(wanted.limit, 0, 100)));
    rows = Run(newest, "reading the newest dead letters");
    if (!rows.ok()) return rows.status();
    for (const SqlRow& r : *rows) {
      auto message = d.BlobBytes(TextOf(r, 8));
      if (!message.ok()) return message.status();
      report.newest.push_back({TextOf(r, 0), Int(r, 1), Int(r, 2), Int(r, 3), TextOf(r, 4),
                               TextOf(r, 5), TextOf(r, 6), TextOf(r, 7), std::move(message).value(),
                               TextOf(r, 9)});
    }
    return report;
  }

  // One small read of processor_stats (a row per input stream), which the processor updates in
  // every batch's transaction: a commit that adds rows to the rollups adds to `events`, one that
  // moves the offsets to `batches` (a rerun adds nothing, and changed nothing).
  Result<int64_t> ChangeStamp() override {
    Query q(dialect());
    q.Sql(
        "SELECT COUNT(*), COALESCE(SUM(batches), 0), COALESCE(SUM(events), 0),"
        " COALESCE(SUM(dead_letters), 0) FROM " +
        Table("processor_stats"));
    auto rows = Run(q, "reading processor_stats");
    if (!rows.ok()) return rows.status();
    uint64_t stamp = 1469598103934665603ull;  // FNV-1a over the four numbers
    for (size_t i = 0; i < 4; ++i) {
      stamp ^= static_cast<uint64_t>(Int(rows->front(), i));
      stamp *= 1099511628211ull;
    }
    return static_cast<int64_t>(stamp);
  }

  // Opens one connection now, to report bad credentials at start-up.
  Status Probe() {
    auto conn = Acquire();
    if (!conn.ok()) return conn.status();
    Release(std::move(conn).value());
    return Status::Ok();
  }

 private:
  const Dialect& dialect() { return db_->dialect(); }
  // The processed table's side table `plain`, quoted (owned_tables.h).
  std::string Table(std::string_view plain) { return dialect().Quote(tables_->Name(plain)); }
  query::TableName Tables() {
    return [this](std::string_view plain) { return Table(plain); };
  }

  // Merges the sketch in column `col` of `row` (NULL: empty) into `into`.
  Status MergeSketch(const SqlRow& row, size_t col, const std::string& what,
                     sketch::HyperLogLog& into) {
    if (!row.at(col)) return Status::Ok();
    auto bytes = dialect().BlobBytes(*row[col]);
    if (!bytes.ok()) return bytes.status();
    auto sketch = sketch::HyperLogLog::Parse(*bytes);
    if (!sketch.ok()) {
      return Status::Corruption(
          what + " holds a sketch that does not parse: " + sketch.status().message());
    }
    into.Merge(*sketch);
    return Status::Ok();
  }

  ExtentFn Extent() {
    return [this] { return QueryExtent(); };
  }

  // The block tables of brands' hours that the store has (query/hour_runs.h). A store made by
  // an older version lacks one or both until a `process` of this one opens it and fills them
  // from rollup_hour_brand; until then brands read single hours where those blocks would go:
  // the same answer, slower. Tables once found stay (nothing drops them); missing ones are
  // looked up again at the next request.
  Result<query::BlockTables> Blocks() {
    if (block_tables_found_.load()) return query::BlockTables{};
    auto conn = Acquire();
    if (!conn.ok()) return conn.status();
    query::BlockTables found{false, false};
    Status status = Status::Ok();
    for (const auto& [plain, has] : {std::pair{"rollup_block_brand_wide", &found.within_days},
                                     std::pair{"rollup_days_brand_wide", &found.of_days}}) {
      const std::string& name = tables_->Name(plain);
      auto rows =
          (*conn)->Run(dialect().TableExistsQuery(), {std::string_view(name)}, "looking up tables");
      if (!rows.ok()) {
        status = rows.status();
        break;
      }
      *has = !rows->empty() && Int(rows->front(), 0) > 0;
    }
    Release(std::move(conn).value());
    if (!status.ok()) return status;
    if (found.within_days && found.of_days) {
      block_tables_found_.store(true);
    } else if (!block_tables_missing_told_.exchange(true)) {
      LogWarn(db_->describe() + " lacks " +
              (found.within_days ? "rollup_days_brand_wide" : "rollup_block_brand_wide") +
              (found.within_days || found.of_days ? "" : " and rollup_days_brand_wide") +
              ": brands over a range read single hours of rollup_hour_brand there instead, "
              "slower, until a `shopstream process` of this version opens the store");
    }
    return found;
  }

  // BrandsSource with the store's extent, block tables and table names.
  Result<query::RollupSource> Brands(const TimeRange& range, const Filter& filter,
                                     const Placeholder& placeholder) {
    auto blocks = Blocks();
    if (!blocks.ok()) return blocks.status();
    return BrandsSource(range, filter, Extent(), *blocks, placeholder, Tables());
  }

  Result<query::Breakdown> Totals(const query::TimeRange& range, const query::Filter& filter) {
    Query q(dialect());
    q.Sql("SELECT ").BreakdownColumns();
    auto source = query::TotalsSource(range, filter, Extent(), q.NextPlaceholders(), Tables());
    if (!source.ok()) return source.status();
    q.From(*source);
    auto rows = Run(q, "reading " + source->what);
    if (!rows.ok()) return rows.status();
    if (rows->empty()) return query::Breakdown{};
    return ReadBreakdown(rows->front(), 0);
  }

  // Groups the rows of the source `make_source` gives by `key` (and `parent`, when given),
  // ranked by `by`; `wide`: the source has a column per count (BreakdownColumns). The column
  // names are constants of this file, never input.
  template <typename MakeSource>
  Result<std::vector<query::NamedBreakdown>> Grouped(const char* key, const char* parent,
                                                     MakeSource&& make_source, query::RankBy by,
                                                     int64_t limit, bool wide = false) {
    const bool has_parent = *parent != '\0';
    const std::string keys = has_parent ? std::string(parent) + ", " + key : key;
    const std::string order = by == query::RankBy::kRevenue ? "6 DESC, 2 DESC" : "3 DESC, 6 DESC";
    Query q(dialect());
    q.Sql("SELECT " + std::string(key) + ", ").BreakdownColumns(/*named=*/false, wide);
    q.Sql(std::string(", ") + (has_parent ? parent : "''"));
    Result<query::RollupSource> source = make_source(q.NextPlaceholders());
    if (!source.ok()) return source.status();
    q.From(*source).Sql(" GROUP BY " + keys + " ORDER BY " + order + ", 1, 7 LIMIT ");
    q.Value(limit < 0 ? kNoLimit : limit);
    auto rows = Run(q, "reading " + source->what);
    if (!rows.ok()) return rows.status();
    std::vector<query::NamedBreakdown> out;
    out.reserve(rows->size());
    for (const SqlRow& row : *rows) {
      out.push_back({TextOf(row, 0), TextOf(row, 6), ReadBreakdown(row, 1)});
    }
    return out;
  }

  // Runs a query on a pooled connection; when the connection was lost (a server restart, an
  // idle timeout), once more on a new one.
  Result<std::vector<SqlRow>> Run(const Query& q, const std::string& what) {
    for (int attempt = 0;; ++attempt) {
      auto conn = Acquire();
      if (!conn.ok()) return conn.status();
      auto rows = (*conn)->Run(q.sql(), q.values(), what);
      const bool lost = !(*conn)->conn->healthy();
      if (!rows.ok() && !lost) rows = Explain(**conn, std::move(rows));
      Release(std::move(conn).value());
      if (rows.ok() || !lost || attempt > 0) return rows;
    }
  }

  // Dead letters of a store made before their codes: a passing state (the next start of the
  // processor adds the columns), said as such rather than as an unknown column.
  Status ExplainDeadLetters(Status failed) {
    auto conn = Acquire();
    if (!conn.ok()) return failed;
    const std::string table = tables_->Name("dead_letters");
    auto needs = DeadLettersNeedUpgrade(*(*conn)->conn, dialect(), table);
    Release(std::move(conn).value());
    if (!needs.ok() || !*needs) return failed;
    return Status::Unavailable(DeadLettersUpgradeAdvice(db_->describe(), table));
  }

  // A store the processor has not created yet is a passing state, not the caller's error.
  Result<std::vector<SqlRow>> Explain(PooledConnection& conn, Result<std::vector<SqlRow>> rows) {
    const SqlValue table = std::string_view(tables_->Name("processor_stats"));
    auto exists = conn.Run(dialect().TableExistsQuery(), {table}, "looking up tables");
    if (!exists.ok() || exists->empty() || Int(exists->front(), 0) > 0) return rows;
    return Status::Unavailable(db_->describe() +
                               " has no shopstream tables yet (has `shopstream "
                               "process` written to it?): " +
                               rows.status().message());
  }

  Result<std::unique_ptr<PooledConnection>> Acquire() {
    {
      std::unique_lock lock(mu_);
      available_.wait(lock, [this] { return !idle_.empty() || open_ < kMaxConnections; });
      if (!idle_.empty()) {
        auto conn = std::move(idle_.back());
        idle_.pop_back();
        return conn;
      }
      ++open_;  // reserved; connecting happens outside the lock
    }
    auto conn = db_->Connect();
    if (!conn.ok()) {
      std::lock_guard lock(mu_);
      --open_;
      available_.notify_one();
      return conn.status();
    }
    auto pooled = std::make_unique<PooledConnection>();
    pooled->conn = std::move(conn).value();
    return pooled;
  }

  // Back to the pool, or closed when it was lost. A lost connection usually means the others
  // are lost too (a server restart), so the idle ones are closed with it and the retry starts
  // on a new connection.
  void Release(std::unique_ptr<PooledConnection> conn) {
    const bool keep = conn->conn->healthy();
    std::vector<std::unique_ptr<PooledConnection>> closing;
    {
      std::lock_guard lock(mu_);
      if (keep) {
        idle_.push_back(std::move(conn));
      } else {
        closing.swap(idle_);
        open_ -= closing.size() + 1;
      }
      available_.notify_all();
    }
    // `conn` and `closing` close outside the lock.
  }

  std::unique_ptr<SqlDatabase> db_;
  const std::unique_ptr<const OwnedTables> tables_;
  std::mutex mu_;
  std::condition_variable available_;
  std::vector<std::unique_ptr<PooledConnection>> idle_;
  size_t open_ = 0;                                     // idle and in use
  std::atomic<bool> block_tables_found_{false};         // both, once seen (Blocks)
  std::atomic<bool> block_tables_missing_told_{false};  // the warning, once
};

}  // namespace

Result<std::unique_ptr<query::QueryStore>> MakeSqlQueryStore(
    std::unique_ptr<SqlDatabase> database) {
  auto tables = OwnedTables::For(database->rows_table());
  if (!tables.ok())
    return Status::InvalidArgument(database->describe() + ": " + tables.status().message());
  auto store = std::make_unique<SqlQueryStore>(
      std::move(database), std::make_unique<const OwnedTables>(std::move(tables).value()));
  if (Status s = store->Probe(); !s.ok()) {
    if (!s.retryable()) return s;
    LogWarn(s.message() + "; serving anyway, queries fail until the server is back");
  }
  return std::unique_ptr<query::QueryStore>(std::move(store));
}

}  // namespace shopstream::sql
