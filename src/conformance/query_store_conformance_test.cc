// The QueryStore contract (query/query_store.h), stated once and run on every SQL
// database: SQLite always, MariaDB and PostgreSQL when scripts/stack runs them. Each test lays
// out rollups as the processor keeps them (the tables made by the processed store's Init, rows
// written with portable SQL by a second connection) and reads them through OpenQueryStore.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "conformance/test_backends.h"
#include "endpoints/open_store.h"
#include "query/rollup_reading.h"
#include "query/time_range.h"
#include "sketch/hash64.h"
#include "sql/owned_tables.h"
#include "sql/schema.h"

namespace shopstream::conformance {
namespace {

class QueryStoreContract : public DatabaseTest {
 protected:
  void SetUp() override {
    DatabaseTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    auto processed = endpoints::OpenProcessedStore(db_->Uri());
    ASSERT_TRUE(processed.ok()) << processed.status().ToString();
    Status s = (*processed)->Init();  // the tables, exactly as the processor makes them
    ASSERT_TRUE(s.ok()) << s.ToString();
  }
  void TearDown() override { store_.reset(); }

  void Exec(const std::string& sql) {
    Status s = reader_->Exec(sql, "test");
    ASSERT_TRUE(s.ok()) << s.ToString();
  }
  query::QueryStore& Store() {
    if (!store_) {
      auto opened = endpoints::OpenQueryStore(db_->Uri());
      EXPECT_TRUE(opened.ok()) << opened.status().ToString();
      store_ = std::move(opened.value());
    }
    return *store_;
  }
  // Two minutes in hour 08, one in hour 10.
  void FillSample() {
    Exec(
        "INSERT INTO rollup_minute VALUES"
        " ('2019-11-08 08:14','view','electronics',5,0),"
        " ('2019-11-08 08:14','cart','electronics',2,0),"
        " ('2019-11-08 08:15','purchase','electronics',1,100.5),"
        " ('2019-11-08 08:15','view','apparel',3,0),"
        " ('2019-11-08 10:01','purchase','apparel',2,40.25)");
    Exec(
        "INSERT INTO rollup_hour_brand VALUES"
        " ('2019-11-08 08','samsung','view',5,0),"
        " ('2019-11-08 08','samsung','purchase',1,100.5),"
        " ('2019-11-08 08','<img src=x onerror=alert(1)>','view',3,0),"
        " ('2019-11-08 08','samsung','cart',2,0),"
        " ('2019-11-08 10','nike','purchase',2,40.25)");
    Exec(
        "INSERT INTO rollup_hour_product VALUES"
        " ('2019-11-08 08','electronics','smartphone','view',5,0),"
        " ('2019-11-08 08','electronics','smartphone','cart',2,0),"
        " ('2019-11-08 08','electronics','smartphone','purchase',1,100.5),"
        " ('2019-11-08 08','apparel','shoes','view',3,0),"
        " ('2019-11-08 10','apparel','shoes','purchase',2,40.25)");
    Exec(
        "INSERT INTO rollup_hour_brand_product VALUES"
        " ('samsung','2019-11-08 08','electronics','smartphone','view',5,0),"
        " ('samsung','2019-11-08 08','electronics','smartphone','cart',2,0),"
        " ('samsung','2019-11-08 08','electronics','smartphone','purchase',1,100.5),"
        " ('<img src=x onerror=alert(1)>','2019-11-08 08','apparel','shoes','view',3,0),"
        " ('nike','2019-11-08 10','apparel','shoes','purchase',2,40.25)");
    FillCoarse();
  }
  // The coarse rollups, summed from the fine ones the way a store's upgrade fills them; and
  // rollup_10s as if each minute's events came in its first ten seconds (the tests lay out
  // minutes, and a store's upgrade fills rollup_10s from rows, which these tests have none of).
  void FillCoarse() {
    auto tables = sql::OwnedTables::For("operations");
    for (const sql::Rollup& rollup : sql::Rollups()) {
      if (!rollup.backfill_sql.empty()) Exec(sql::BackfillSql(rollup, db_->dialect(), *tables));
    }
    Exec("DELETE FROM rollup_10s");
    auto insert = reader_->Prepare(
        "INSERT INTO rollup_10s VALUES (" + P(0) + ", " + P(1) + ", " + P(2) + ", " + P(3) + ")",
        "filling rollup_10s");
    ASSERT_TRUE(insert.ok()) << insert.status().ToString();
    for (const SqlRow& row :
         Rows("SELECT bucket, event_type, SUM(events), SUM(revenue) FROM rollup_minute"
              " GROUP BY bucket, event_type",
              {})) {
      const std::string bucket = row[0].value_or("") + ":0";
      const SqlValue values[] = {std::string_view(bucket), std::string_view(*row[1]),
                                 int64_t{std::stoll(row[2].value_or("0"))},
                                 std::stod(row[3].value_or("0"))};
      Status s = (*insert)->Execute(values);
      ASSERT_TRUE(s.ok()) << s.ToString();
    }
  }

  std::unique_ptr<query::QueryStore> store_;
};

TEST_P(QueryStoreContract, KpisOverAllAndARange) {
  FillSample();
  auto all = Store().QueryKpis({});
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  EXPECT_EQ(all->totals.events, 13);
  EXPECT_EQ(all->totals.views, 8);
  EXPECT_EQ(all->totals.carts, 2);
  EXPECT_EQ(all->totals.purchases, 3);
  EXPECT_DOUBLE_EQ(all->totals.revenue, 140.75);
  EXPECT_DOUBLE_EQ(*all->view_to_cart, 2.0 / 8);
  EXPECT_DOUBLE_EQ(*all->cart_to_purchase, 3.0 / 2);

  auto range = query::ParseTimeRange("2019-11-08 08:15", "2019-11-08 10:01");
  auto part = Store().QueryKpis(*range);
  ASSERT_TRUE(part.ok());
  EXPECT_EQ(part->totals.events, 4);  // 08:15 only: [from, to) leaves out 10:01
  EXPECT_DOUBLE_EQ(part->totals.revenue, 100.5);
  EXPECT_FALSE(part->cart_to_purchase.has_value());
}

TEST_P(QueryStoreContract, TimeSeriesFillsEveryBucket) {
  FillSample();
  // Up to an hour: ten-second points from rollup_10s.
  auto range = query::ParseTimeRange("2019-11-08 08:13", "2019-11-08 08:17");
  auto s = Store().QueryTimeSeries(*range);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->granularity, query::Granularity::kTenSeconds);
  EXPECT_EQ(s->step, 10);
  ASSERT_EQ(s->points.size(), 24u);
  EXPECT_EQ(s->points[0].bucket, "2019-11-08 08:13:00");
  EXPECT_EQ(s->points[0].values.events, 0);
  EXPECT_EQ(s->points[6].bucket, "2019-11-08 08:14:00");
  EXPECT_EQ(s->points[6].values.events, 7);
  EXPECT_EQ(s->points[7].values.events, 0);
  EXPECT_EQ(s->points[12].values.purchases, 1);
  EXPECT_EQ(s->points[23].bucket, "2019-11-08 08:16:50");
  EXPECT_EQ(s->points[23].values.events, 0);
  // A department picked: minutes (rollup_10s keeps no departments).
  auto dept =
      Store().QueryTimeSeries(*range, query::Filter{std::string("electronics"), std::nullopt});
  ASSERT_TRUE(dept.ok()) << dept.status().ToString();
  EXPECT_EQ(dept->granularity, query::Granularity::kMinute);
  ASSERT_EQ(dept->points.size(), 4u);
  EXPECT_EQ(dept->points[1].bucket, "2019-11-08 08:14");
  EXPECT_EQ(dept->points[1].values.events, 7);
  EXPECT_EQ(dept->points[2].values.events, 1);

  auto all = Store().QueryTimeSeries({});  // 08:14 to 10:01: under 6 hours, minutes
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->points.front().bucket, "2019-11-08 08:14");
  EXPECT_EQ(all->points.back().bucket, "2019-11-08 10:01");

  auto day = Store().QueryTimeSeries(*query::ParseTimeRange("2019-11-08", "2019-11-09"));
  ASSERT_TRUE(day.ok());
  EXPECT_EQ(day->granularity, query::Granularity::kHour);
  ASSERT_EQ(day->points.size(), 24u);
  EXPECT_EQ(day->points[8].bucket, "2019-11-08 08");
  EXPECT_EQ(day->points[8].values.events, 11);
  EXPECT_DOUBLE_EQ(day->points[10].values.revenue, 40.25);
}

TEST_P(QueryStoreContract, RankingsOrderAndLimit) {
  FillSample();
  auto by_revenue = Store().QueryTopBrands({}, query::RankBy::kRevenue, 2);
  ASSERT_TRUE(by_revenue.ok());
  ASSERT_EQ(by_revenue->size(), 2u);
  EXPECT_EQ((*by_revenue)[0].name, "samsung");
  EXPECT_EQ((*by_revenue)[0].values.views, 5);
  EXPECT_EQ((*by_revenue)[0].values.carts, 2);
  EXPECT_EQ((*by_revenue)[1].name, "nike");
  auto by_views = Store().QueryTopBrands({}, query::RankBy::kViews, 10);
  ASSERT_TRUE(by_views.ok());
  ASSERT_EQ(by_views->size(), 3u);
  EXPECT_EQ((*by_views)[1].name, "<img src=x onerror=alert(1)>");

  // Hourly rollups count each hour that overlaps the range.
  auto quarter = query::ParseTimeRange("2019-11-08 10:00", "2019-11-08 10:15");
  auto products = Store().QueryTopProducts(*quarter, query::RankBy::kRevenue, 10);
  ASSERT_TRUE(products.ok());
  ASSERT_EQ(products->size(), 1u);
  EXPECT_EQ((*products)[0].name, "shoes");
  EXPECT_EQ((*products)[0].department, "apparel");
  EXPECT_DOUBLE_EQ((*products)[0].values.revenue, 40.25);

  auto depts = Store().QueryDepartments({});
  ASSERT_TRUE(depts.ok());
  ASSERT_EQ(depts->size(), 2u);
  EXPECT_EQ((*depts)[0].name, "electronics");
}

// Both rankings at once (one grouping, /api/brands and /api/products) equal each ranking asked
// alone, in the same order with the same ties, over every source: all time, a range of hours,
// a department, a brand; a limit that cuts through tied names; no limit.
TEST_P(QueryStoreContract, BothRankingsAtOnceEqualEachAlone) {
  Exec(
      "INSERT INTO rollup_hour_brand VALUES ('2019-11-08 09','adidas','view',3,0),"
      " ('2019-11-08 09','puma','view',3,0), ('2019-11-08 09','asics','purchase',1,40.25)");
  Exec(
      "INSERT INTO rollup_hour_product VALUES ('2019-11-08 09','apparel','socks','view',3,0),"
      " ('2019-11-08 09','apparel','hats','view',3,0)");
  FillSample();  // and the all-time tables from all of these
  const auto same = [](const std::vector<query::NamedBreakdown>& a,
                       const std::vector<query::NamedBreakdown>& b) {
    std::vector<std::string> left, right;
    for (const auto& x : a) {
      left.push_back(x.department + "/" + x.name + ":" + std::to_string(x.values.events) + "," +
                     std::to_string(x.values.views) + "," + std::to_string(x.values.carts) + "," +
                     std::to_string(x.values.purchases) + "," + std::to_string(x.values.revenue));
    }
    for (const auto& x : b) {
      right.push_back(x.department + "/" + x.name + ":" + std::to_string(x.values.events) + "," +
                      std::to_string(x.values.views) + "," + std::to_string(x.values.carts) + "," +
                      std::to_string(x.values.purchases) + "," + std::to_string(x.values.revenue));
    }
    EXPECT_EQ(left, right);
  };
  auto hours = query::ParseTimeRange("2019-11-08 09:00", "2019-11-08 10:30");
  ASSERT_TRUE(hours.ok());
  query::Filter department, brand;
  department.department = "apparel";
  brand.brand = "samsung";
  const std::pair<query::TimeRange, query::Filter> cases[] = {
      {{}, {}}, {*hours, {}}, {{}, department}, {*hours, department}, {{}, brand}, {*hours, brand}};
  for (bool products : {false, true}) {
    for (const auto& [range, filter] : cases) {
      for (int limit : {1, 2, 10, -1}) {
        SCOPED_TRACE(std::string(products ? "products" : "brands") + " limit " +
                     std::to_string(limit) + " department " + filter.department.value_or("-") +
                     " brand " + filter.brand.value_or("-") + (range.from ? " hours" : " all"));
        auto both = Store().QueryRankings(range, filter, products, limit);
        ASSERT_TRUE(both.ok()) << both.status().ToString();
        for (query::RankBy by : {query::RankBy::kRevenue, query::RankBy::kViews}) {
          auto alone = products ? Store().QueryTopProducts(range, filter, by, limit)
                                : Store().QueryTopBrands(range, filter, by, limit);
          ASSERT_TRUE(alone.ok()) << alone.status().ToString();
          same(by == query::RankBy::kRevenue ? both->by_revenue : both->by_views, *alone);
        }
      }
    }
  }
  auto top = Store().QueryRankings({}, {}, false, 2);
  ASSERT_TRUE(top.ok());
  ASSERT_EQ(top->by_views.size(), 2u);
  EXPECT_EQ(top->by_views[0].name, "samsung");  // 5 views; then three brands with 3
  EXPECT_EQ(top->by_views[1].values.views, 3);
}

// Ranges read whole days, whole hours and ragged minutes from rollup_day, rollup_hour and
// rollup_minute: every range over a day of irregular minutes gives the sums of its minutes.
TEST_P(QueryStoreContract, AnyRangeEqualsTheSumOfItsMinutes) {
  std::string values;
  for (int m = 0; m < 24 * 60; m += 7 + (m % 5)) {
    char row[96];
    std::snprintf(row, sizeof row, "%s('2019-11-08 %02d:%02d','view','d%d',%d,%d.5)",
                  values.empty() ? "" : ",", m / 60, m % 60, m % 3, 1 + m % 4, m % 10);
    values += row;
  }
  Exec("INSERT INTO rollup_minute VALUES" + values);
  FillCoarse();
  const int64_t day = *query::ParseUtcSeconds("2019-11-08") / 60;
  const int64_t bounds[] = {-30, 0,   1,   59,  60,   61,   119,  120, 121,
                            425, 605, 719, 845, 1380, 1439, 1440, 1500};
  for (int64_t from : bounds) {
    for (int64_t to : bounds) {
      if (from >= to) continue;
      const std::string low = query::FormatMinuteBucket(day + from),
                        high = query::FormatMinuteBucket(day + to);
      auto brute = Rows(
          "SELECT COALESCE(SUM(events), 0), COALESCE(SUM(revenue), 0)"
          " FROM rollup_minute WHERE bucket >= " +
              P(0) + " AND bucket < " + P(1),
          {std::string_view(low), std::string_view(high)});
      ASSERT_EQ(brute.size(), 1u);
      const int64_t events = std::stoll(brute[0][0].value_or("0"));
      const double revenue = std::stod(brute[0][1].value_or("0"));

      query::TimeRange range{day + from, day + to};
      auto kpis = Store().QueryKpis(range);
      ASSERT_TRUE(kpis.ok()) << kpis.status().ToString();
      EXPECT_EQ(kpis->totals.events, events) << low << " to " << high;
      EXPECT_DOUBLE_EQ(kpis->totals.revenue, revenue) << low << " to " << high;
      auto depts = Store().QueryDepartments(range);
      ASSERT_TRUE(depts.ok());
      int64_t by_department = 0;
      for (const auto& d : *depts) by_department += d.values.events;
      EXPECT_EQ(by_department, events) << low << " to " << high;
      auto series = Store().QueryTimeSeries(range);
      ASSERT_TRUE(series.ok());
      int64_t in_series = 0;
      for (const auto& p : series->points) in_series += p.values.events;
      EXPECT_EQ(in_series, events) << low << " to " << high;
    }
  }
  // Open ends too.
  auto until_noon = Store().QueryKpis({std::nullopt, day + 725});
  auto from_noon = Store().QueryKpis({day + 725, std::nullopt});
  auto all = Store().QueryKpis({});
  ASSERT_TRUE(until_noon.ok() && from_noon.ok() && all.ok());
  EXPECT_EQ(until_noon->totals.events + from_noon->totals.events, all->totals.events);
}

// All time costs days, not minutes: with the finer tables emptied, the totals stay.
TEST_P(QueryStoreContract, AllTimeReadsDayBuckets) {
  FillSample();
  Exec("DELETE FROM rollup_minute");
  Exec("DELETE FROM rollup_hour");
  auto all = Store().QueryKpis({});
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->totals.events, 13);
  EXPECT_DOUBLE_EQ(all->totals.revenue, 140.75);
}

// A ranking over all the data reads the all-time tables; the same answer as the hours.
TEST_P(QueryStoreContract, AllTimeRankingsMatchTheHours) {
  FillSample();
  auto open = Store().QueryTopProducts({}, query::RankBy::kViews, 10);
  auto covering = Store().QueryTopProducts(*query::ParseTimeRange("2019-11-08", "2019-11-09"),
                                           query::RankBy::kViews, 10);
  ASSERT_TRUE(open.ok() && covering.ok());
  ASSERT_EQ(open->size(), 2u);
  ASSERT_EQ(covering->size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    EXPECT_EQ((*open)[i].name, (*covering)[i].name);
    EXPECT_EQ((*open)[i].values.events, (*covering)[i].values.events);
  }
  EXPECT_EQ((*open)[0].name, "smartphone");
  EXPECT_EQ((*open)[0].values.events, 8);
}

TEST_P(QueryStoreContract, MixFunnelAndStatus) {
  FillSample();
  Exec("INSERT INTO processor_stats VALUES ('events', 4, 13, 1, 12.5, 7, '2019-11-08 10:02:00')");
  Exec(
      "INSERT INTO dead_letters VALUES ('events', 0, 3, 'bad json', NULL, '2019-11-08 10:00:00',"
      " 'json.syntax', NULL, 'open', 0, NULL, NULL)");
  auto mix = Store().QueryEventMix({});
  ASSERT_TRUE(mix.ok());
  ASSERT_EQ(mix->size(), 3u);
  EXPECT_EQ((*mix)[0].event_type, "view");
  EXPECT_EQ((*mix)[0].events, 8);
  auto funnel = Store().QueryFunnel({});
  ASSERT_TRUE(funnel.ok());
  EXPECT_EQ(funnel->views, 8);
  EXPECT_DOUBLE_EQ(*funnel->view_to_purchase, 3.0 / 8);
  auto status = Store().QueryProcessorStatus();
  ASSERT_TRUE(status.ok());
  ASSERT_EQ(status->streams.size(), 1u);
  EXPECT_EQ(status->streams[0].lag, 7);
  EXPECT_EQ(status->dead_letters_stored, 1);
}

// A department picked: every answer is that department's, minutes exact.
TEST_P(QueryStoreContract, EveryAnswerFollowsADepartment) {
  FillSample();
  const query::Filter electronics{std::string("electronics"), std::nullopt};
  auto kpis = Store().QueryKpis({}, electronics);
  ASSERT_TRUE(kpis.ok()) << kpis.status().ToString();
  EXPECT_EQ(kpis->totals.events, 8);
  EXPECT_EQ(kpis->totals.views, 5);
  EXPECT_EQ(kpis->totals.carts, 2);
  EXPECT_DOUBLE_EQ(kpis->totals.revenue, 100.5);
  auto part = Store().QueryKpis(*query::ParseTimeRange("2019-11-08 08:15", "2019-11-08 10:01"),
                                electronics);
  ASSERT_TRUE(part.ok());
  EXPECT_EQ(part->totals.events, 1);
  auto depts = Store().QueryDepartments({}, electronics);
  ASSERT_TRUE(depts.ok());
  ASSERT_EQ(depts->size(), 1u);
  EXPECT_EQ((*depts)[0].name, "electronics");
  auto mix = Store().QueryEventMix({}, electronics);
  ASSERT_TRUE(mix.ok());
  ASSERT_EQ(mix->size(), 3u);
  EXPECT_EQ((*mix)[0].events, 5);
  auto funnel = Store().QueryFunnel({}, electronics);
  ASSERT_TRUE(funnel.ok());
  EXPECT_DOUBLE_EQ(*funnel->cart_to_purchase, 0.5);
  for (const auto& range :
       {query::TimeRange{}, *query::ParseTimeRange("2019-11-08 08:00", "2019-11-08 09:00")}) {
    auto brands = Store().QueryTopBrands(range, electronics, query::RankBy::kViews, 10);
    ASSERT_TRUE(brands.ok()) << brands.status().ToString();
    ASSERT_EQ(brands->size(), 1u);
    EXPECT_EQ((*brands)[0].name, "samsung");
    EXPECT_EQ((*brands)[0].values.events, 8);
    auto products = Store().QueryTopProducts(range, electronics, query::RankBy::kRevenue, 10);
    ASSERT_TRUE(products.ok());
    ASSERT_EQ(products->size(), 1u);
    EXPECT_EQ((*products)[0].name, "smartphone");
  }
  auto series =
      Store().QueryTimeSeries(*query::ParseTimeRange("2019-11-08", "2019-11-09"), electronics);
  ASSERT_TRUE(series.ok());
  ASSERT_EQ(series->points.size(), 24u);
  EXPECT_EQ(series->points[8].values.events, 8);
  EXPECT_EQ(series->points[10].values.events, 0);
}

// A brand picked: its departments, products and totals, by whole hours.
TEST_P(QueryStoreContract, EveryAnswerFollowsABrandByTheHour) {
  FillSample();
  const query::Filter nike{std::nullopt, std::string("nike")};
  auto kpis = Store().QueryKpis({}, nike);
  ASSERT_TRUE(kpis.ok()) << kpis.status().ToString();
  EXPECT_EQ(kpis->totals.events, 2);
  EXPECT_DOUBLE_EQ(kpis->totals.revenue, 40.25);
  auto quarter = *query::ParseTimeRange("2019-11-08 10:00", "2019-11-08 10:15");
  EXPECT_EQ(Store().QueryKpis(quarter, nike)->totals.purchases, 2);  // the whole hour 10
  auto depts = Store().QueryDepartments({}, nike);
  ASSERT_TRUE(depts.ok());
  ASSERT_EQ(depts->size(), 1u);
  EXPECT_EQ((*depts)[0].name, "apparel");
  auto products = Store().QueryTopProducts(quarter, nike, query::RankBy::kRevenue, 10);
  ASSERT_TRUE(products.ok());
  ASSERT_EQ(products->size(), 1u);
  EXPECT_EQ((*products)[0].department, "apparel");
  EXPECT_DOUBLE_EQ((*products)[0].values.revenue, 40.25);
  auto brands = Store().QueryTopBrands({}, nike, query::RankBy::kViews, 10);
  ASSERT_TRUE(brands.ok());
  ASSERT_EQ(brands->size(), 1u);
  EXPECT_EQ((*brands)[0].name, "nike");
  auto series = Store().QueryTimeSeries(quarter, nike);
  ASSERT_TRUE(series.ok()) << series.status().ToString();
  EXPECT_EQ(series->granularity, query::Granularity::kHour);
  ASSERT_EQ(series->points.size(), 1u);
  EXPECT_EQ(series->points[0].bucket, "2019-11-08 10");
  EXPECT_EQ(series->points[0].values.purchases, 2);
  auto mix = Store().QueryEventMix(*query::ParseTimeRange("2019-11-08 08:00", "2019-11-08 09:00"),
                                   query::Filter{std::nullopt, std::string("samsung")});
  ASSERT_TRUE(mix.ok());
  EXPECT_EQ(mix->size(), 3u);

  // A department and a brand: both hold.
  EXPECT_EQ(Store()
                .QueryKpis({}, query::Filter{std::string("electronics"), std::string("nike")})
                ->totals.events,
            0);
  const query::Filter markup{std::string("apparel"), std::string("<img src=x onerror=alert(1)>")};
  EXPECT_EQ(Store().QueryKpis({}, markup)->totals.views, 3);
  EXPECT_EQ(Store().QueryFunnel({}, markup)->views, 3);
}

// Users and sessions as the processor keeps them, per range and filter.
TEST_P(QueryStoreContract, PeopleCountDistinctUsersAndSessions) {
  auto processed = endpoints::OpenProcessedStore(db_->Uri());
  ASSERT_TRUE(processed.ok());
  store::ProcessedBatch batch;
  batch.stream = "s";
  auto row = [&](const char* time, const char* type, const char* dept, const char* brand,
                 int64_t user, const char* session) {
    CleanedEvent r;
    r.id = "id" + std::to_string(batch.rows.size());
    r.event_time = time;
    r.event_type = type;
    r.department = dept;
    r.product = "p";
    r.brand = brand;
    r.user_hash = sketch::Hash64(user, sketch::kUserSeed);
    r.session_hash = sketch::Hash64(std::string_view(session), sketch::kSessionSeed);
    r.has_session = true;
    batch.rows.push_back(r);
  };
  row("2019-11-08 08:14:00", "view", "electronics", "samsung", 1, "a");
  row("2019-11-08 08:14:30", "cart", "electronics", "samsung", 1, "a");
  row("2019-11-08 08:15:00", "view", "apparel", "nike", 2, "b");
  row("2019-11-08 09:30:00", "view", "electronics", "apple", 3, "c");
  row("2019-11-08 09:31:00", "purchase", "electronics", "apple", 3, "c");
  row("2019-11-09 10:00:00", "view", "apparel", "nike", 1, "d");
  batch.next_offsets = {{0, 6}};
  ASSERT_TRUE((*processed)->Commit(batch).ok());
  ASSERT_TRUE((*processed)->Flush().ok());  // people are written back apart from the batch

  auto all = Store().QueryPeople({});
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  EXPECT_EQ(all->users, 3);
  EXPECT_EQ(all->sessions, 4);
  EXPECT_EQ(all->viewing, 4);
  EXPECT_EQ(all->carting, 1);
  EXPECT_EQ(all->buying, 1);
  EXPECT_EQ(all->events, 6);
  EXPECT_DOUBLE_EQ(*all->events_per_session, 1.5);
  EXPECT_DOUBLE_EQ(*all->session_conversion, 0.25);
  EXPECT_EQ(all->counted_since, "2019-11-08 08:14");
  for (const auto& [from, to] :
       std::vector<std::pair<const char*, const char*>>{{"2019-11-01", "2019-12-01"},
                                                        {"2019-11-08", "2019-11-10"},
                                                        {"2019-11-08 08:14", "2019-11-09 10:01"}}) {
    auto same = Store().QueryPeople(*query::ParseTimeRange(from, to));
    ASSERT_TRUE(same.ok()) << same.status().ToString();
    EXPECT_EQ(same->users, 3) << from << ".." << to;
    EXPECT_EQ(same->sessions, 4) << from << ".." << to;
  }
  auto part = Store().QueryPeople(*query::ParseTimeRange("2019-11-08 08:15", "2019-11-09"));
  ASSERT_TRUE(part.ok());
  EXPECT_EQ(part->users, 2);
  EXPECT_EQ(part->sessions, 2);
  EXPECT_EQ(part->buying, 1);
  EXPECT_EQ(part->events, 3);
  auto electronics =
      Store().QueryPeople({}, query::Filter{std::string("electronics"), std::nullopt});
  ASSERT_TRUE(electronics.ok());
  EXPECT_EQ(electronics->users, 2);
  EXPECT_EQ(electronics->sessions, 2);
  const query::Filter nike{std::nullopt, std::string("nike")};
  EXPECT_EQ(Store().QueryPeople({}, nike)->users, 2);
  EXPECT_EQ(Store()
                .QueryPeople(*query::ParseTimeRange("2019-11-08 08:20", "2019-11-08 08:30"), nike)
                ->sessions,
            1);  // the whole day: a brand's people are kept by day
  auto apple =
      Store().QueryPeople({}, query::Filter{std::string("electronics"), std::string("apple")});
  ASSERT_TRUE(apple.ok());
  EXPECT_EQ(apple->users, 1);
  EXPECT_EQ(apple->buying, 1);
  EXPECT_EQ(
      Store().QueryPeople({}, query::Filter{std::string("apparel"), std::string("apple")})->users,
      0);
}

// The live view, from what a processor commits: stream time is the newest data.
TEST_P(QueryStoreContract, LiveViewCountsTheLastMinutesOfStreamTime) {
  auto empty_pulse = Store().QueryPulse();
  ASSERT_TRUE(empty_pulse.ok()) << empty_pulse.status().ToString();
  EXPECT_EQ(empty_pulse->as_of, "");
  EXPECT_TRUE(empty_pulse->points.empty());
  auto empty_people = Store().QueryLivePeople();
  ASSERT_TRUE(empty_people.ok()) << empty_people.status().ToString();
  EXPECT_EQ(empty_people->as_of, "");
  EXPECT_TRUE(empty_people->users_per_minute.empty());

  auto processed = endpoints::OpenProcessedStore(db_->Uri());
  ASSERT_TRUE(processed.ok());
  store::ProcessedBatch batch;
  batch.stream = "s";
  auto row = [&](const char* time, const char* type, int64_t user, const char* session) {
    CleanedEvent r;
    r.id = "id" + std::to_string(batch.rows.size());
    r.event_time = time;
    r.event_type = type;
    r.department = "electronics";
    r.product = "p";
    r.brand = "b";
    r.user_hash = sketch::Hash64(user, sketch::kUserSeed);
    r.session_hash = sketch::Hash64(std::string_view(session), sketch::kSessionSeed);
    r.has_session = true;
    batch.rows.push_back(r);
  };
  row("2019-11-08 09:20:00", "view", 9, "z");  // before the last 30 minutes
  row("2019-11-08 09:31:05", "view", 1, "a");  // the first of the last 30 minutes
  row("2019-11-08 09:56:00", "view", 2, "b");  // the first of the last 5
  row("2019-11-08 09:59:59", "view", 1, "a2");
  row("2019-11-08 10:00:15", "cart", 2, "b");
  row("2019-11-08 10:00:59", "view", 3, "c");  // the newest: stream time
  batch.next_offsets = {{0, 6}};
  ASSERT_TRUE((*processed)->Commit(batch).ok());
  ASSERT_TRUE((*processed)->Flush().ok());  // people are written back apart from the batch

  auto pulse = Store().QueryPulse();
  ASSERT_TRUE(pulse.ok()) << pulse.status().ToString();
  EXPECT_EQ(pulse->as_of, "2019-11-08 10:00:50");
  ASSERT_EQ(pulse->points.size(), static_cast<size_t>(query::kPulsePoints));
  EXPECT_EQ(pulse->points.front().bucket, "2019-11-08 09:51:00");
  EXPECT_EQ(pulse->points.back().bucket, "2019-11-08 10:00:50");
  EXPECT_EQ(pulse->points[59].events, 1);
  EXPECT_EQ(pulse->points[55].bucket, "2019-11-08 10:00:10");
  EXPECT_EQ(pulse->points[55].events, 1);
  EXPECT_EQ(pulse->points[53].events, 1);  // 09:59:50
  EXPECT_EQ(pulse->points[30].bucket, "2019-11-08 09:56:00");
  EXPECT_EQ(pulse->points[30].events, 1);
  int64_t in_pulse = 0;
  for (const query::PulsePoint& p : pulse->points) in_pulse += p.events;
  EXPECT_EQ(in_pulse, 4);

  auto live = Store().QueryLivePeople();
  ASSERT_TRUE(live.ok()) << live.status().ToString();
  EXPECT_EQ(live->as_of, "2019-11-08 10:00");
  EXPECT_EQ(live->users_5m, 3);
  EXPECT_EQ(live->sessions_5m, 3);
  EXPECT_EQ(live->users_30m, 3);
  EXPECT_EQ(live->sessions_30m, 4);
  ASSERT_EQ(live->users_per_minute.size(), static_cast<size_t>(query::kLiveLongMinutes));
  EXPECT_EQ(live->users_per_minute.front().bucket, "2019-11-08 09:31");
  EXPECT_EQ(live->users_per_minute.front().users, 1);
  EXPECT_EQ(live->users_per_minute[1].users, 0);
  EXPECT_EQ(live->users_per_minute[25].bucket, "2019-11-08 09:56");
  EXPECT_EQ(live->users_per_minute[25].users, 1);
  EXPECT_EQ(live->users_per_minute.back().bucket, "2019-11-08 10:00");
  EXPECT_EQ(live->users_per_minute.back().users, 2);

  // The first minutes of a stream: the time series already moves in ten-second points.
  auto series =
      Store().QueryTimeSeries(*query::ParseTimeRange("2019-11-08 10:00", "2019-11-08 10:01"));
  ASSERT_TRUE(series.ok()) << series.status().ToString();
  ASSERT_EQ(series->points.size(), 6u);
  EXPECT_EQ(series->points[1].values.carts, 1);
  EXPECT_EQ(series->points[5].values.views, 1);
}

// Trending over the sample (newest minute 10:01): departments by exact minutes, brands and
// products by whole hours, each against the window before.
TEST_P(QueryStoreContract, TrendingRanksTheLastWindowAgainstTheOneBefore) {
  auto empty =
      Store().QueryTrending(query::TrendDimension::kProduct, 60, query::TrendMetric::kRevenue, 10);
  ASSERT_TRUE(empty.ok()) << empty.status().ToString();
  EXPECT_TRUE(empty->top.empty() && empty->from.empty());
  FillSample();
  Exec("INSERT INTO rollup_hour_brand VALUES ('2019-11-08 09','nike','purchase',1,10)");

  auto depts = Store().QueryTrending(query::TrendDimension::kDepartment, 15,
                                     query::TrendMetric::kRevenue, 10);
  ASSERT_TRUE(depts.ok()) << depts.status().ToString();
  EXPECT_FALSE(depts->whole_hours);
  EXPECT_EQ(depts->from, "2019-11-08 09:47");
  EXPECT_EQ(depts->to, "2019-11-08 10:02");
  ASSERT_EQ(depts->top.size(), 1u);
  EXPECT_EQ(depts->top[0].name, "apparel");
  EXPECT_DOUBLE_EQ(depts->top[0].value, 40.25);
  ASSERT_EQ(depts->rising.size(), 1u);
  EXPECT_FALSE(depts->rising[0].change.has_value());  // nothing the quarter before

  auto hour =
      Store().QueryTrending(query::TrendDimension::kDepartment, 60, query::TrendMetric::kViews, 10);
  ASSERT_TRUE(hour.ok());
  EXPECT_TRUE(hour->top.empty());     // no views since 09:02
  EXPECT_TRUE(hour->rising.empty());  // electronics and apparel fell from 5 and 3

  auto brands =
      Store().QueryTrending(query::TrendDimension::kBrand, 60, query::TrendMetric::kPurchases, 10);
  ASSERT_TRUE(brands.ok()) << brands.status().ToString();
  EXPECT_TRUE(brands->whole_hours);
  EXPECT_EQ(brands->from, "2019-11-08 10:00");
  EXPECT_EQ(brands->previous_from, "2019-11-08 09:00");
  ASSERT_EQ(brands->top.size(), 1u);
  EXPECT_EQ(brands->top[0].name, "nike");
  EXPECT_DOUBLE_EQ(brands->top[0].value, 2);
  EXPECT_DOUBLE_EQ(brands->top[0].previous, 1);
  EXPECT_DOUBLE_EQ(*brands->top[0].change, 1.0);

  auto day =
      Store().QueryTrending(query::TrendDimension::kBrand, 1440, query::TrendMetric::kViews, 1);
  ASSERT_TRUE(day.ok());
  ASSERT_EQ(day->top.size(), 1u);  // the limit
  EXPECT_EQ(day->top[0].name, "samsung");
  EXPECT_DOUBLE_EQ(day->top[0].value, 5);

  auto products = Store().QueryTrending(query::TrendDimension::kProduct, 1440,
                                        query::TrendMetric::kPurchases, 10);
  ASSERT_TRUE(products.ok());
  ASSERT_EQ(products->top.size(), 2u);
  EXPECT_EQ(products->top[0].name, "shoes");
  EXPECT_EQ(products->top[0].department, "apparel");
  EXPECT_DOUBLE_EQ(products->top[0].value, 2);
  EXPECT_EQ(products->top[1].name, "smartphone");
  EXPECT_EQ(products->rising.size(), 2u);
}

// The database ranks brands itself (one pass over both windows, LIMIT in SQL): rises tied by
// amount put a new name first, then the larger change; top ties go by name; other event types
// and hours outside both windows count for nothing.
TEST_P(QueryStoreContract, TrendingRanksInTheDatabaseWithTheSameTies) {
  Exec("INSERT INTO rollup_minute VALUES ('2019-11-08 10:01','view','apparel',1,0)");
  Exec(
      "INSERT INTO rollup_hour_brand VALUES"
      " ('2019-11-08 09','a','view',1,0), ('2019-11-08 10','a','view',5,0),"
      " ('2019-11-08 10','b','view',4,0),"
      " ('2019-11-08 09','c','view',2,0), ('2019-11-08 10','c','view',6,0),"
      " ('2019-11-08 09','d','view',10,0), ('2019-11-08 10','d','view',3,0),"
      " ('2019-11-08 09','e','view',6,0), ('2019-11-08 10','e','view',6,0),"
      " ('2019-11-08 10','z','cart',100,0), ('2019-11-08 08','f','view',50,0)");
  auto t = Store().QueryTrending(query::TrendDimension::kBrand, 60, query::TrendMetric::kViews, 3);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  std::vector<std::string> top, rising;
  for (const auto& item : t->top) top.push_back(item.name);
  for (const auto& item : t->rising) rising.push_back(item.name);
  EXPECT_EQ(top, (std::vector<std::string>{"c", "e", "a"}));
  EXPECT_EQ(rising, (std::vector<std::string>{"b", "a", "c"}));
  ASSERT_EQ(t->rising.size(), 3u);
  EXPECT_FALSE(t->rising[0].change.has_value());
  EXPECT_DOUBLE_EQ(*t->rising[1].change, 4.0);
  EXPECT_DOUBLE_EQ(t->rising[2].previous, 2);
}

// One row of rollup_hour_brand as the recounts below see it; hour counts from 2019-11-06 00.
struct HourBrandCell {
  int hour;
  std::string hour_text, brand, type;
  int64_t events;
  double revenue;
};

// Sparse rows of rollup_hour_brand over `hours` hours and `brands` brands ("brand0", ...) of
// every event type, drawn from a fixed generator: one cell in `one_in` holds 1 to `max_events`
// events, a purchase `price` each.
std::vector<HourBrandCell> SparseHourBrandCells(int hours, int brands, uint64_t seed, int one_in,
                                                int max_events, double price) {
  std::vector<HourBrandCell> cells;
  for (int h = 0; h < hours; ++h) {
    char text[32];
    std::snprintf(text, sizeof text, "2019-11-%02d %02d", 6 + h / 24, h % 24);
    for (int b = 0; b < brands; ++b) {
      for (const char* type : {"view", "cart", "purchase"}) {
        seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
        if ((seed >> 33) % one_in != 0) continue;
        const int64_t events = 1 + static_cast<int64_t>((seed >> 40) % max_events);
        const double revenue = std::string_view(type) == "purchase" ? events * price : 0;
        cells.push_back({h, text, "brand" + std::to_string(b), type, events, revenue});
      }
    }
  }
  return cells;
}

std::string HourBrandInsert(const std::vector<HourBrandCell>& cells) {
  std::string insert = "INSERT INTO rollup_hour_brand VALUES ";
  for (size_t i = 0; i < cells.size(); ++i) {
    const HourBrandCell& c = cells[i];
    insert += (i ? ", ('" : "('") + c.hour_text + "','" + c.brand + "','" + c.type + "'," +
              std::to_string(c.events) + "," + std::to_string(c.revenue) + ")";
  }
  return insert;
}

// Trending brands from `store` against a recount of `fine` (rollup_hour_brand's rows, the data
// ending at 2019-11-08 10:01): for every metric and the hour and day windows, the top and
// rising names with their values equal those summed and ranked here (trending.h's order).
void ExpectTrendingBrandsEqualARecount(query::QueryStore& store,
                                       const std::vector<HourBrandCell>& fine) {
  const char* types[] = {"view", "cart", "purchase"};
  const query::TrendMetric metrics[] = {query::TrendMetric::kViews, query::TrendMetric::kCarts,
                                        query::TrendMetric::kPurchases,
                                        query::TrendMetric::kRevenue};
  for (int window : {60, 1440}) {
    for (query::TrendMetric metric : metrics) {
      SCOPED_TRACE("window " + std::to_string(window) + ", metric " +
                   std::to_string(static_cast<int>(metric)));
      auto t = store.QueryTrending(query::TrendDimension::kBrand, window, metric, 5);
      ASSERT_TRUE(t.ok()) << t.status().ToString();
      // Whole hours up to and including 10 on 2019-11-08, and as many before.
      const std::string from = window == 60 ? "2019-11-08 10" : "2019-11-07 11";
      const std::string before = window == 60 ? "2019-11-08 09" : "2019-11-06 11";
      const std::string type = types[std::min(static_cast<int>(metric), 2)];
      std::map<std::string, std::pair<double, double>> sums;  // brand: current, previous
      for (const HourBrandCell& f : fine) {
        if (f.type != type || f.hour_text < before || f.hour_text > "2019-11-08 10") continue;
        const double v = metric == query::TrendMetric::kRevenue ? f.revenue : f.events;
        (f.hour_text >= from ? sums[f.brand].first : sums[f.brand].second) += v;
      }
      std::vector<std::pair<std::string, std::pair<double, double>>> top, rising;
      for (const auto& entry : sums) {
        if (entry.second.first > 0) top.push_back(entry);
        if (entry.second.first > entry.second.second) rising.push_back(entry);
      }
      std::sort(top.begin(), top.end(), [](const auto& a, const auto& b) {
        return a.second.first != b.second.first ? a.second.first > b.second.first
                                                : a.first < b.first;
      });
      std::sort(rising.begin(), rising.end(), [](const auto& a, const auto& b) {
        const double ra = a.second.first - a.second.second, rb = b.second.first - b.second.second;
        if (ra != rb) return ra > rb;
        const bool na = a.second.second == 0, nb = b.second.second == 0;
        if (na != nb) return na;
        const double ca = na ? 0 : a.second.first / a.second.second;
        const double cb = nb ? 0 : b.second.first / b.second.second;
        return ca != cb ? ca > cb : a.first < b.first;
      });
      top.resize(std::min<size_t>(top.size(), 5));
      rising.resize(std::min<size_t>(rising.size(), 5));
      ASSERT_EQ(t->top.size(), top.size());
      for (size_t i = 0; i < top.size(); ++i) {
        EXPECT_EQ(t->top[i].name, top[i].first) << i;
        EXPECT_DOUBLE_EQ(t->top[i].value, top[i].second.first) << i;
        EXPECT_DOUBLE_EQ(t->top[i].previous, top[i].second.second) << i;
      }
      ASSERT_EQ(t->rising.size(), rising.size());
      for (size_t i = 0; i < rising.size(); ++i) {
        EXPECT_EQ(t->rising[i].name, rising[i].first) << i;
        EXPECT_DOUBLE_EQ(t->rising[i].value, rising[i].second.first) << i;
      }
    }
  }
}

// 40 brands over 59 hours of sparse rows of every event type, some outside both windows.
TEST_P(QueryStoreContract, TrendingBrandsEqualARecount) {
  Exec("INSERT INTO rollup_minute VALUES ('2019-11-08 10:01','view','apparel',1,0)");
  // 2019-11-06 00 to 2019-11-08 10; a third of the cells hold a row.
  const std::vector<HourBrandCell> fine = SparseHourBrandCells(59, 40, 23, 3, 97, 2.5);
  Exec(HourBrandInsert(fine));
  FillCoarse();
  ExpectTrendingBrandsEqualARecount(Store(), fine);
}

// Brand rankings from `store` over `ranges` (first hour from 2019-11-06 00, hours), their ends
// on the hour and 20 minutes past it: both rankings with every brand, and the top 3 by views,
// equal a recount of `fine` (rollup_hour_brand's rows) over the hours that overlap the range.
void ExpectBrandRankingsEqualARecount(query::QueryStore& store,
                                      const std::vector<HourBrandCell>& fine,
                                      const std::vector<std::pair<int, int>>& ranges) {
  const int64_t day0 = *query::ParseTimeRange("2019-11-06 00:00", "2019-11-06 00:01")->from;
  for (const auto& [start, length] : ranges) {
    for (int edge : {0, 20}) {  // minutes past the hour at both ends
      const int64_t from = day0 + start * 60 + edge, to = day0 + (start + length) * 60 + edge;
      SCOPED_TRACE("from hour " + std::to_string(start) + " for " + std::to_string(length) +
                   " hours, ends at :" + std::to_string(edge));
      std::map<std::string, query::Breakdown> sums;
      const int last = edge ? start + length : start + length - 1;  // hours overlapping
      for (const HourBrandCell& f : fine) {
        if (f.hour < start || f.hour > last) continue;
        query::Breakdown& b = sums[f.brand];
        b.events += f.events;
        b.views += f.type == "view" ? f.events : 0;
        b.carts += f.type == "cart" ? f.events : 0;
        b.purchases += f.type == "purchase" ? f.events : 0;
        b.revenue += f.revenue;
      }
      std::vector<std::pair<std::string, query::Breakdown>> by_revenue(sums.begin(), sums.end());
      std::vector<std::pair<std::string, query::Breakdown>> by_views = by_revenue;
      std::sort(by_revenue.begin(), by_revenue.end(), [](const auto& a, const auto& b) {
        if (a.second.revenue != b.second.revenue) return a.second.revenue > b.second.revenue;
        if (a.second.events != b.second.events) return a.second.events > b.second.events;
        return a.first < b.first;
      });
      std::sort(by_views.begin(), by_views.end(), [](const auto& a, const auto& b) {
        if (a.second.views != b.second.views) return a.second.views > b.second.views;
        if (a.second.revenue != b.second.revenue) return a.second.revenue > b.second.revenue;
        return a.first < b.first;
      });
      const auto text = [](const std::vector<std::pair<std::string, query::Breakdown>>& v) {
        std::vector<std::string> out;
        for (const auto& [name, b] : v) {
          out.push_back(name + ":" + std::to_string(b.events) + "," + std::to_string(b.views) +
                        "," + std::to_string(b.carts) + "," + std::to_string(b.purchases) + "," +
                        std::to_string(b.revenue));
        }
        return out;
      };
      const auto got = [&](const std::vector<query::NamedBreakdown>& v) {
        std::vector<std::pair<std::string, query::Breakdown>> out;
        for (const auto& x : v) out.emplace_back(x.name, x.values);
        return text(out);
      };
      const query::TimeRange range{from, to};
      auto both = store.QueryRankings(range, {}, false, -1);
      ASSERT_TRUE(both.ok()) << both.status().ToString();
      EXPECT_EQ(got(both->by_revenue), text(by_revenue));
      EXPECT_EQ(got(both->by_views), text(by_views));
      auto alone = store.QueryTopBrands(range, query::RankBy::kViews, 3);
      ASSERT_TRUE(alone.ok()) << alone.status().ToString();
      by_views.resize(std::min<size_t>(by_views.size(), 3));
      EXPECT_EQ(got(*alone), text(by_views));
    }
  }
}

// Ten whole days of 12 brands' sparse hours, the data's extent, so that no range below holds all
// of it.
std::vector<HourBrandCell> TenDaysOfBrandHours() {
  return SparseHourBrandCells(240, 12, 7, 4, 50, 1.25);
}
constexpr const char* kTenDaysExtent =
    "INSERT INTO rollup_minute VALUES ('2019-11-06 00:00','view','apparel',1,0),"
    " ('2019-11-15 23:59','view','apparel',1,0)";

// Brand rankings over closed ranges (/api/brands) read blocks of hours and days where they fit
// (query/hour_runs.h): ranges of 1 to 60 hours starting at every hour of a day, and of 3 to 7
// days starting at every fifth hour of four days (so at every phase of the 2- and 4-day blocks).
TEST_P(QueryStoreContract, BrandRankingsOverHoursEqualARecount) {
  const std::vector<HourBrandCell> fine = TenDaysOfBrandHours();
  Exec(HourBrandInsert(fine));
  Exec(kTenDaysExtent);
  FillCoarse();
  std::vector<std::pair<int, int>> ranges;  // (first hour, hours)
  for (int start = 0; start < 24; start += 1) {
    for (int length : {1, 5, 13, 24, 25, 47, 60}) ranges.emplace_back(start, length);
  }
  for (int start = 0; start < 96; start += 5) {
    for (int length : {71, 97, 145, 169}) ranges.emplace_back(start, length);
  }
  ExpectBrandRankingsEqualARecount(Store(), fine, ranges);
}

// A store made by an older version, which no `process` of this one has opened, lacks the block
// tables: first rollup_days_brand_wide, then both. Its brand rankings (a day, a day
// from 10:00, a week, a ragged week, ...) and trending brands read single hours instead, and
// still equal the recounts.
TEST_P(QueryStoreContract, AStoreWithoutBlockTablesRanksBrandsFromHours) {
  const std::vector<HourBrandCell> fine = TenDaysOfBrandHours();
  Exec(HourBrandInsert(fine));
  Exec(kTenDaysExtent);
  FillCoarse();
  const std::vector<std::pair<int, int>> ranges = {{0, 24},   {10, 24}, {24, 48}, {0, 168},
                                                   {10, 169}, {37, 97}, {3, 145}, {5, 13}};
  for (const char* table : {"rollup_days_brand_wide", "rollup_block_brand_wide"}) {
    SCOPED_TRACE(std::string("without ") + table);
    Exec(std::string("DROP TABLE ") + table);
    store_.reset();  // a new serve: nothing remembered of the tables
    ExpectBrandRankingsEqualARecount(Store(), fine, ranges);
  }
  // Trending's windows end at the data's newest minute.
  Exec("DELETE FROM rollup_minute");
  Exec("INSERT INTO rollup_minute VALUES ('2019-11-08 10:01','view','apparel',1,0)");
  store_.reset();
  ExpectTrendingBrandsEqualARecount(Store(), fine);
}

// The alerts table as the board reads it: the newest changes first, what fires now (a rule's
// latest change), and how often each rule fired.
TEST_P(QueryStoreContract, AlertsGiveHistoryFiringAndCounts) {
  Exec(
      "INSERT INTO alerts VALUES"
      " ('p','2019-11-08 10:00:10','fired','purchases',10,60,100,'2026-01-01 00:00:00'),"
      " ('p','2019-11-08 10:05:00','resolved','purchases',95,60,100,'2026-01-01 00:00:00'),"
      " ('p','2019-11-08 10:09:00','fired','purchases',20,60,100,'2026-01-01 00:00:00'),"
      " ('z','2019-11-08 10:01:00','fired','events',0,0,5,'2026-01-01 00:00:00'),"
      " ('z','2019-11-08 10:02:00','resolved','events',3,0,5,'2026-01-01 00:00:00')");
  auto report = Store().QueryAlerts(2);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  ASSERT_EQ(report->history.size(), 2u);
  EXPECT_EQ(report->history[0].stream_time, "2019-11-08 10:09:00");
  EXPECT_EQ(report->history[1].state, "resolved");
  ASSERT_EQ(report->firing.size(), 1u);
  EXPECT_EQ(report->firing[0].rule, "p");
  EXPECT_DOUBLE_EQ(report->firing[0].value, 20);
  EXPECT_EQ(report->fired_total,
            (std::vector<std::pair<std::string, int64_t>>{{"p", 2}, {"z", 1}}));
}

TEST_P(QueryStoreContract, ChangeStampMovesOnEveryBatchAnotherConnectionCommits) {
  FillSample();
  Exec("INSERT INTO processor_stats VALUES ('events', 4, 13, 1, 12.5, 7, '2019-11-08 10:02:00')");
  auto before = Store().ChangeStamp();
  ASSERT_TRUE(before.ok());
  EXPECT_EQ(*Store().ChangeStamp(), *before);
  // As the processor commits a batch: its rows and one more batch in processor_stats.
  Exec("INSERT INTO rollup_minute VALUES ('2019-11-08 11:00','view','apparel',1,0)");
  Exec("UPDATE processor_stats SET batches = batches + 1, events = events + 1");
  auto after = Store().ChangeStamp();
  ASSERT_TRUE(after.ok());
  EXPECT_NE(*after, *before);
}

// Rows an older processor stored: a day that does not exist and years at both ends of what a
// bucket can name. The series stays small and adds up to the totals.
TEST_P(QueryStoreContract, ImpossibleDatesAndExtremeYearsGiveABoundedSeries) {
  Exec(
      "INSERT INTO rollup_minute VALUES"
      " ('0000-01-01 00:00','view','apparel',1,0),"
      " ('2019-02-27 10:00','view','apparel',2,0),"
      " ('2019-02-30 10:00','purchase','apparel',4,10.5),"
      " ('9999-12-31 23:59','cart','apparel',8,0)");
  FillCoarse();
  auto totals = Store().QueryKpis({});
  ASSERT_TRUE(totals.ok()) << totals.status().ToString();
  EXPECT_EQ(totals->totals.events, 15);
  for (const auto& [from, to] :
       std::vector<std::pair<const char*, const char*>>{{"", ""},
                                                        {"0000-01-01", "9999-12-31 23:59:59"},
                                                        {"2019-02-27", ""},
                                                        {"2019-02-27 09:00", "2019-02-27 12:00"}}) {
    auto range = query::ParseTimeRange(from, to);
    ASSERT_TRUE(range.ok());
    auto series = Store().QueryTimeSeries(*range);
    ASSERT_TRUE(series.ok()) << from << ".." << to << ": " << series.status().ToString();
    EXPECT_LE(static_cast<int64_t>(series->points.size()), query::kMaxSeriesPoints);
    int64_t events = 0;
    for (const auto& p : series->points) events += p.values.events;
    EXPECT_EQ(events, Store().QueryKpis(*range)->totals.events) << from << ".." << to;
  }
  Exec("DELETE FROM rollup_minute WHERE bucket < '1000' OR bucket > '9000'");
  Exec("DELETE FROM rollup_hour");
  Exec("DELETE FROM rollup_day");
  FillCoarse();
  auto recent = Store().QueryTimeSeries({});
  ASSERT_TRUE(recent.ok()) << recent.status().ToString();
  EXPECT_EQ(recent->granularity, query::Granularity::kHour);
  EXPECT_EQ(recent->points.back().bucket, "2019-02-28 23");
  EXPECT_EQ(recent->points.back().values.purchases, 4);
}

TEST_P(QueryStoreContract, AStoreWithoutTablesIsUnavailableNotACrash) {
  for (const char* table :
       {"rollup_minute", "rollup_hour", "rollup_day", "processor_stats", "people_minute"}) {
    Exec(std::string("DROP TABLE ") + table);
  }
  auto k = Store().QueryKpis({});
  ASSERT_FALSE(k.ok());
  EXPECT_EQ(k.status().code(), StatusCode::kUnavailable) << k.status().ToString();
  EXPECT_NE(k.status().message().find("has `shopstream process` written to it?"), std::string::npos)
      << k.status().message();
  auto p = Store().QueryPeople({});
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.status().code(), StatusCode::kUnavailable) << p.status().ToString();
}

INSTANTIATE_TEST_SUITE_P(EveryDatabase, QueryStoreContract,
                         ::testing::Range(size_t{0}, Backends().size()),
                         [](const auto& info) { return Backends()[info.param].name; });

}  // namespace
}  // namespace shopstream::conformance
