#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "store/query/rollup_reading.h"
#include "store/sql/schema.h"
#include "store/sqlite/sqlite_stores.h"

namespace shopstream {
namespace {

// A store laid out as the processor lays it out (the schema in the store docs), written by
// a second connection like the processor's.
class SqliteQueryStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char dir_template[] = "/tmp/query_store_test_XXXXXX";
    dir_ = mkdtemp(dir_template);
    path_ = dir_ + "/store.db";
    ASSERT_EQ(sqlite3_open(path_.c_str(), &writer_), SQLITE_OK);
    Exec("PRAGMA journal_mode=WAL");
    Exec(
        "CREATE TABLE rollup_minute(bucket TEXT, event_type TEXT, department TEXT,"
        " events INTEGER, revenue REAL, PRIMARY KEY(bucket, event_type, department))");
    Exec(
        "CREATE TABLE rollup_hour_brand(bucket TEXT, brand TEXT, event_type TEXT, events INTEGER,"
        " revenue REAL, PRIMARY KEY(bucket, brand, event_type))");
    Exec(
        "CREATE TABLE rollup_hour_product(bucket TEXT, department TEXT, product TEXT,"
        " event_type TEXT, events INTEGER, revenue REAL,"
        " PRIMARY KEY(bucket, department, product, event_type))");
    Exec(
        "CREATE TABLE rollup_hour(bucket TEXT, event_type TEXT, department TEXT,"
        " events INTEGER, revenue REAL, PRIMARY KEY(bucket, event_type, department))");
    Exec(
        "CREATE TABLE rollup_day(bucket TEXT, event_type TEXT, department TEXT,"
        " events INTEGER, revenue REAL, PRIMARY KEY(bucket, event_type, department))");
    Exec(
        "CREATE TABLE rollup_brand(brand TEXT, event_type TEXT, events INTEGER, revenue REAL,"
        " PRIMARY KEY(brand, event_type))");
    Exec(
        "CREATE TABLE rollup_product(department TEXT, product TEXT, event_type TEXT,"
        " events INTEGER, revenue REAL, PRIMARY KEY(department, product, event_type))");
    Exec(
        "CREATE TABLE dead_letters(stream TEXT, partition INTEGER, offset INTEGER, reason TEXT,"
        " payload BLOB, recorded_at TEXT, PRIMARY KEY(stream, partition, offset))");
    Exec(
        "CREATE TABLE processor_stats(stream TEXT PRIMARY KEY, batches INTEGER, events INTEGER,"
        " dead_letters INTEGER, last_batch_ms REAL, lag INTEGER, updated_at TEXT)");
  }
  void TearDown() override {
    store_.reset();
    sqlite3_close(writer_);
    std::string cmd = "rm -rf '" + dir_ + "'";
    ASSERT_EQ(std::system(cmd.c_str()), 0);
  }
  void Exec(const std::string& sql) {
    char* err = nullptr;
    ASSERT_EQ(sqlite3_exec(writer_, sql.c_str(), nullptr, nullptr, &err), SQLITE_OK) << err;
  }
  QueryStore& Store() {
    if (!store_) {
      auto opened = OpenSqliteQueryStore(path_);
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
    FillCoarse();
  }
  // The coarse rollups, summed from the fine ones the way a store's upgrade fills them.
  void FillCoarse() {
    for (const sql::Rollup& rollup : sql::Rollups()) {
      if (!rollup.backfill_sql.empty()) Exec(std::string(rollup.backfill_sql));
    }
  }

  std::string dir_, path_;
  sqlite3* writer_ = nullptr;
  std::unique_ptr<QueryStore> store_;
};

TEST_F(SqliteQueryStoreTest, MissingFileIsNotFound) {
  auto opened = OpenSqliteQueryStore(dir_ + "/nope.db");
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.status().code(), StatusCode::kNotFound);
}

TEST_F(SqliteQueryStoreTest, KpisOverAllAndARange) {
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

  auto range = ParseTimeRange("2019-11-08 08:15", "2019-11-08 10:01");
  auto part = Store().QueryKpis(*range);
  ASSERT_TRUE(part.ok());
  EXPECT_EQ(part->totals.events, 4);  // 08:15 only: [from, to) leaves out 10:01
  EXPECT_DOUBLE_EQ(part->totals.revenue, 100.5);
  EXPECT_FALSE(part->cart_to_purchase.has_value());
}

TEST_F(SqliteQueryStoreTest, TimeSeriesFillsEveryBucket) {
  FillSample();
  auto range = ParseTimeRange("2019-11-08 08:13", "2019-11-08 08:17");
  auto s = Store().QueryTimeSeries(*range);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->granularity, Granularity::kMinute);
  ASSERT_EQ(s->points.size(), 4u);
  EXPECT_EQ(s->points[0].bucket, "2019-11-08 08:13");
  EXPECT_EQ(s->points[0].values.events, 0);
  EXPECT_EQ(s->points[1].values.events, 7);
  EXPECT_EQ(s->points[2].values.purchases, 1);
  EXPECT_EQ(s->points[3].values.events, 0);

  auto all = Store().QueryTimeSeries({});  // 08:14 to 10:01: under 6 hours, minutes
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->points.front().bucket, "2019-11-08 08:14");
  EXPECT_EQ(all->points.back().bucket, "2019-11-08 10:01");

  auto day = Store().QueryTimeSeries(*ParseTimeRange("2019-11-08", "2019-11-09"));
  ASSERT_TRUE(day.ok());
  EXPECT_EQ(day->granularity, Granularity::kHour);
  ASSERT_EQ(day->points.size(), 24u);
  EXPECT_EQ(day->points[8].bucket, "2019-11-08 08");
  EXPECT_EQ(day->points[8].values.events, 11);
  EXPECT_DOUBLE_EQ(day->points[10].values.revenue, 40.25);
}

TEST_F(SqliteQueryStoreTest, RankingsOrderAndLimit) {
  FillSample();
  auto by_revenue = Store().QueryTopBrands({}, RankBy::kRevenue, 2);
  ASSERT_TRUE(by_revenue.ok());
  ASSERT_EQ(by_revenue->size(), 2u);
  EXPECT_EQ((*by_revenue)[0].name, "samsung");
  EXPECT_EQ((*by_revenue)[0].values.views, 5);
  EXPECT_EQ((*by_revenue)[0].values.carts, 2);
  EXPECT_EQ((*by_revenue)[1].name, "nike");
  auto by_views = Store().QueryTopBrands({}, RankBy::kViews, 10);
  ASSERT_TRUE(by_views.ok());
  ASSERT_EQ(by_views->size(), 3u);
  EXPECT_EQ((*by_views)[1].name, "<img src=x onerror=alert(1)>");

  // Hourly rollups count each hour that overlaps the range.
  auto quarter = ParseTimeRange("2019-11-08 10:00", "2019-11-08 10:15");
  auto products = Store().QueryTopProducts(*quarter, RankBy::kRevenue, 10);
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

// Ranges read whole days, whole hours and ragged minutes from rollup_day, rollup_hour and
// rollup_minute: every range over a day of irregular minutes gives the sums of its minutes.
TEST_F(SqliteQueryStoreTest, AnyRangeEqualsTheSumOfItsMinutes) {
  std::string values;
  for (int m = 0; m < 24 * 60; m += 7 + (m % 5)) {
    char row[96];
    std::snprintf(row, sizeof row, "%s('2019-11-08 %02d:%02d','view','d%d',%d,%d.5)",
                  values.empty() ? "" : ",", m / 60, m % 60, m % 3, 1 + m % 4, m % 10);
    values += row;
  }
  Exec("INSERT INTO rollup_minute VALUES" + values);
  FillCoarse();
  const int64_t day = *ParseUtcSeconds("2019-11-08") / 60;
  const int64_t bounds[] = {-30, 0,   1,   59,  60,   61,   119,  120, 121,
                            425, 605, 719, 845, 1380, 1439, 1440, 1500};
  for (int64_t from : bounds) {
    for (int64_t to : bounds) {
      if (from >= to) continue;
      sqlite3_stmt* brute = nullptr;
      ASSERT_EQ(sqlite3_prepare_v2(writer_,
                                   "SELECT COALESCE(SUM(events), 0), COALESCE(SUM(revenue), 0)"
                                   " FROM rollup_minute WHERE bucket >= ? AND bucket < ?",
                                   -1, &brute, nullptr),
                SQLITE_OK);
      const std::string low = FormatMinuteBucket(day + from), high = FormatMinuteBucket(day + to);
      sqlite3_bind_text(brute, 1, low.c_str(), -1, SQLITE_TRANSIENT);
      sqlite3_bind_text(brute, 2, high.c_str(), -1, SQLITE_TRANSIENT);
      ASSERT_EQ(sqlite3_step(brute), SQLITE_ROW);
      const int64_t events = sqlite3_column_int64(brute, 0);
      const double revenue = sqlite3_column_double(brute, 1);
      sqlite3_finalize(brute);

      TimeRange range{day + from, day + to};
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
TEST_F(SqliteQueryStoreTest, AllTimeReadsDayBuckets) {
  FillSample();
  Exec("DELETE FROM rollup_minute");
  Exec("DELETE FROM rollup_hour");
  auto all = Store().QueryKpis({});
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->totals.events, 13);
  EXPECT_DOUBLE_EQ(all->totals.revenue, 140.75);
}

// A ranking over all the data reads the all-time tables; the same answer as the hours.
TEST_F(SqliteQueryStoreTest, AllTimeRankingsMatchTheHours) {
  FillSample();
  auto open = Store().QueryTopProducts({}, RankBy::kViews, 10);
  auto covering =
      Store().QueryTopProducts(*ParseTimeRange("2019-11-08", "2019-11-09"), RankBy::kViews, 10);
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

TEST_F(SqliteQueryStoreTest, MixFunnelAndStatus) {
  FillSample();
  Exec("INSERT INTO processor_stats VALUES ('events', 4, 13, 1, 12.5, 7, '2019-11-08 10:02:00')");
  Exec(
      "INSERT INTO dead_letters VALUES ('events', 0, 3, 'bad json', x'00', '2019-11-08 10:00:00')");
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

TEST_F(SqliteQueryStoreTest, ChangeStampMovesOnEveryBatchAnotherConnectionCommits) {
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

TEST_F(SqliteQueryStoreTest, MissingTablesAreUnavailableNotACrash) {
  sqlite3* empty = nullptr;
  std::string path = dir_ + "/empty.db";
  ASSERT_EQ(sqlite3_open(path.c_str(), &empty), SQLITE_OK);
  sqlite3_close(empty);
  auto opened = OpenSqliteQueryStore(path);
  ASSERT_TRUE(opened.ok());
  auto k = (*opened)->QueryKpis({});
  ASSERT_FALSE(k.ok());
  EXPECT_EQ(k.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(k.status().message().find("no such table: rollup_"), std::string::npos)
      << k.status().message();
}

TEST_F(SqliteQueryStoreTest, AFileThatIsNotAStoreIsInvalidArgument) {
  const std::string csv = dir_ + "/2019-Nov.csv";
  FILE* f = std::fopen(csv.c_str(), "w");
  ASSERT_NE(f, nullptr);
  std::fputs("event_time,event_type,product_id\n2019-11-01 00:00:00 UTC,view,1\n", f);
  std::fclose(f);
  auto opened = OpenSqliteQueryStore(csv);
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(opened.status().message().find(csv + " is not a SQLite database"), std::string::npos)
      << opened.status().message();

  // The embedded log is a SQLite file, but not a store.
  const std::string log = dir_ + "/log.db";
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(log.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db,
                         "CREATE TABLE log(offset INTEGER PRIMARY KEY, payload BLOB);"
                         "CREATE TABLE log_meta(key TEXT PRIMARY KEY, value TEXT)",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  opened = OpenSqliteQueryStore(log);
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(
      opened.status().message().find("not a shopstream processed store (it is an embedded log"),
      std::string::npos)
      << opened.status().message();

  // A store the processor is creating, its raw table first, is a store: served (503) until
  // its rollups exist.
  const std::string creating = dir_ + "/creating.db";
  ASSERT_EQ(sqlite3_open(creating.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "CREATE TABLE raw_operations(id TEXT PRIMARY KEY)", nullptr, nullptr,
                         nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  EXPECT_TRUE(OpenSqliteQueryStore(creating).ok());
}

// Rows an older processor stored: a day that does not exist and years at both ends of what a
// bucket can name. The series stays small and adds up to the totals.
TEST_F(SqliteQueryStoreTest, ImpossibleDatesAndExtremeYearsGiveABoundedSeries) {
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
    auto range = ParseTimeRange(from, to);
    ASSERT_TRUE(range.ok());
    auto series = Store().QueryTimeSeries(*range);
    ASSERT_TRUE(series.ok()) << from << ".." << to << ": " << series.status().ToString();
    EXPECT_LE(static_cast<int64_t>(series->points.size()), kMaxSeriesPoints);
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
  EXPECT_EQ(recent->granularity, Granularity::kHour);
  EXPECT_EQ(recent->points.back().bucket, "2019-02-28 23");
  EXPECT_EQ(recent->points.back().values.purchases, 4);
}

}  // namespace
}  // namespace shopstream
