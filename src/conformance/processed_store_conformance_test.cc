// The ProcessedStore contract (store/store.h), stated once and run on every SQL database:
// SQLite always, MariaDB and PostgreSQL when scripts/stack runs them. What a store wrote is read
// back over an independent connection with portable SQL.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <thread>

#include "common/uri.h"
#include "conformance/test_backends.h"
#include "endpoints/open_store.h"
#include "event/hour_blocks.h"
#include "sketch/hash64.h"
#include "sketch/hyperloglog.h"
#include "sql/schema.h"

namespace shopstream::conformance {
namespace {

CleanedEvent MakeRow(std::string id, std::string time, std::string type, std::string dept,
                     std::string product, std::string brand, double price) {
  CleanedEvent row;
  row.id = std::move(id);
  row.event_time = std::move(time);
  row.event_type = std::move(type);
  row.department = std::move(dept);
  row.product = std::move(product);
  row.brand = std::move(brand);
  row.price = price;
  row.revenue = row.event_type == "purchase" ? price : 0;
  row.user_hash = sketch::Hash64(int64_t{1000}, sketch::kUserSeed);
  return row;
}

// `row` done by user `user` in session `session`.
CleanedEvent By(CleanedEvent row, int64_t user, const std::string& session) {
  row.user_hash = sketch::Hash64(user, sketch::kUserSeed);
  row.session_hash = sketch::Hash64(std::string_view(session), sketch::kSessionSeed);
  row.has_session = true;
  return row;
}

// A view, cart or purchase of product `product` by user 1 in `session`: the funnel's tests.
CleanedEvent FunnelRow(const char* id, const char* time, const char* type, const char* session,
                       int64_t product) {
  CleanedEvent r =
      By(MakeRow(id, time, type, "electronics", "smartphone", "apple", 10), 1, session);
  r.product_id = product;
  return r;
}

// The funnel tests' first batch: s1 views and carts product 7 at 10:00 and 10:03, s2 views
// product 8 at 10:04.
store::ProcessedBatch FunnelFirstBatch() {
  store::ProcessedBatch first;
  first.stream = "s";
  first.rows = {FunnelRow("f1", "2019-11-01 10:00:00", "view", "s1", 7),
                FunnelRow("f2", "2019-11-01 10:03:00", "cart", "s1", 7),
                FunnelRow("f3", "2019-11-01 10:04:00", "view", "s2", 8)};
  first.next_offsets = {{0, 3}};
  return first;
}

store::ProcessedBatch SampleBatch() {
  store::ProcessedBatch batch;
  batch.stream = "ecommercetopic";
  batch.rows = {
      MakeRow("a1", "2019-11-01 00:00:05", "view", "electronics", "smartphone", "apple", 489.07),
      MakeRow("a2", "2019-11-01 00:00:40", "purchase", "electronics", "smartphone", "apple",
              489.07),
      MakeRow("a3", "2019-11-01 00:01:10", "purchase", "appliances", "kettle", "bosch", 25.5),
  };
  batch.dead_letters = {{0, 3, "not JSON", std::string("\x01\xFF{broken", 9), "json.syntax", ""}};
  batch.next_offsets = {{0, 4}, {1, 10}};
  batch.batch_millis = 12.5;
  batch.lag = 7;
  return batch;
}

// PostgreSQL's text form of bytea is \x and hex digits; the others give the bytes.
std::string Bytes(const std::string& text) {
  if (text.rfind("\\x", 0) != 0) return text;
  std::string out;
  for (size_t i = 2; i + 1 < text.size(); i += 2) {
    out.push_back(static_cast<char>(std::stoi(text.substr(i, 2), nullptr, 16)));
  }
  return out;
}

class ProcessedStoreContract : public DatabaseTest {
 protected:
  std::unique_ptr<store::ProcessedStore> OpenStore(const std::string& table = "operations") {
    auto store = endpoints::OpenProcessedStore(db_->Uri(table));
    EXPECT_TRUE(store.ok()) << store.status().ToString();
    if (!store.ok()) return nullptr;
    Status s = (*store)->Init();
    EXPECT_TRUE(s.ok()) << s.ToString();
    return std::move(store).value();
  }

  std::string One(const std::string& sql, std::vector<SqlValue> values = {}) {
    auto rows = Rows(sql, std::move(values));
    if (rows.size() != 1 || rows[0].empty() || !rows[0][0]) return "<none>";
    return *rows[0][0];
  }
  int64_t Int(const std::string& sql) { return std::strtoll(One(sql).c_str(), nullptr, 10); }
  // The funnel's sessions viewed / carted / bought within `window` minutes, over every hour.
  std::string FunnelSteps(int window) {
    const std::string where = " FROM funnel_hour WHERE window_minutes = " + std::to_string(window);
    return std::to_string(Int("SELECT SUM(viewed)" + where)) + "/" +
           std::to_string(Int("SELECT SUM(carted)" + where)) + "/" +
           std::to_string(Int("SELECT SUM(bought)" + where));
  }
  double Real(const std::string& sql) { return std::strtod(One(sql).c_str(), nullptr); }
  std::string Q(const char* identifier) { return db_->dialect().Quote(identifier); }

  // Rows, rollup events and revenue, dead letters, stats: what a rerun must leave alone.
  std::string Totals() {
    return std::to_string(Int("SELECT COUNT(*) FROM operations")) + "/" +
           std::to_string(Int("SELECT SUM(events) FROM rollup_minute")) + "/" +
           std::to_string(Int("SELECT SUM(events) FROM rollup_hour_brand")) + "/" +
           std::to_string(Int("SELECT SUM(events) FROM rollup_hour_product")) + "/" +
           std::to_string(Int("SELECT SUM(events) FROM rollup_hour")) + "/" +
           std::to_string(Int("SELECT SUM(events) FROM rollup_product")) + "/" +
           std::to_string(Int("SELECT SUM(events) FROM rollup_brand_product")) + "/" +
           std::to_string(Int("SELECT COUNT(*) FROM dead_letters")) + "/" +
           std::to_string(Int("SELECT COUNT(*) FROM people_hour")) + "/" + Sketch("users");
  }

  // A sketch column of a people table's row, as its stored bytes; "<none>" when there is none.
  std::string Sketch(const std::string& column, const std::string& scope = "all",
                     const std::string& brand = "", const std::string& department = "",
                     const std::string& day = "") {
    std::string sql = "SELECT " + column + " FROM " + (day.empty() ? "people_all" : "people_day") +
                      " WHERE scope = " + P(0) + " AND brand = " + P(1) +
                      " AND department = " + P(2);
    std::vector<SqlValue> values = {std::string_view(scope), std::string_view(brand),
                                    std::string_view(department)};
    if (!day.empty()) {
      sql += " AND bucket = " + P(3);
      values.push_back(std::string_view(day));
    }
    auto rows = Rows(sql, values);
    if (rows.size() != 1 || !rows[0][0]) return "<none>";
    return Bytes(*rows[0][0]);
  }
  // The estimate of such a sketch; -1 when it is missing or does not parse.
  int64_t Estimate(const std::string& column, const std::string& scope = "all",
                   const std::string& brand = "", const std::string& department = "",
                   const std::string& day = "") {
    const std::string bytes = Sketch(column, scope, brand, department, day);
    if (bytes == "<none>") return -1;
    auto h = sketch::HyperLogLog::Parse(bytes);
    EXPECT_TRUE(h.ok()) << h.status().ToString();
    return h.ok() ? std::llround(h->Estimate()) : -1;
  }
};

TEST_P(ProcessedStoreContract, CommitWritesRowsRollupsDeadLettersOffsetsAndStats) {
  auto store = OpenStore();
  ASSERT_TRUE(store->Commit(SampleBatch()).ok());

  auto rows = Rows(
      "SELECT id, event_time, event_type, department, product, brand, price, revenue"
      " FROM operations ORDER BY id");
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(*rows[1][0], "a2");
  EXPECT_EQ(*rows[1][1], "2019-11-01 00:00:40");
  EXPECT_EQ(*rows[1][2], "purchase");
  EXPECT_EQ(*rows[1][3], "electronics");
  EXPECT_EQ(*rows[1][4], "smartphone");
  EXPECT_EQ(*rows[1][5], "apple");
  EXPECT_FLOAT_EQ(std::stof(*rows[1][6]), 489.07f);
  EXPECT_FLOAT_EQ(std::stof(*rows[1][7]), 489.07f);
  EXPECT_FLOAT_EQ(std::stof(*rows[0][7]), 0.0f);

  EXPECT_EQ(Int("SELECT events FROM rollup_minute WHERE bucket = '2019-11-01 00:00'"
                " AND event_type = 'purchase' AND department = 'electronics'"),
            1);
  EXPECT_NEAR(Real("SELECT revenue FROM rollup_minute WHERE bucket = '2019-11-01 00:00'"
                   " AND event_type = 'purchase' AND department = 'electronics'"),
              489.07, 1e-6);
  EXPECT_EQ(Int("SELECT SUM(events) FROM rollup_minute"), 3);
  EXPECT_EQ(Int("SELECT events FROM rollup_10s WHERE bucket = '2019-11-01 00:00:0'"
                " AND event_type = 'view'"),
            1);
  EXPECT_EQ(Int("SELECT COUNT(*) FROM rollup_10s"), 3);
  EXPECT_EQ(Int("SELECT events FROM rollup_hour_brand WHERE bucket = '2019-11-01 00'"
                " AND brand = 'apple' AND event_type = 'view'"),
            1);
  EXPECT_NEAR(Real("SELECT revenue FROM rollup_hour_product WHERE bucket = '2019-11-01 00' AND"
                   " department = 'appliances' AND product = 'kettle' AND event_type = 'purchase'"),
              25.5, 1e-9);
  // The coarse copies hold the same sums.
  EXPECT_EQ(Int("SELECT SUM(events) FROM rollup_hour WHERE bucket = '2019-11-01 00'"), 3);
  EXPECT_EQ(Int("SELECT SUM(events) FROM rollup_day WHERE bucket = '2019-11-01'"), 3);
  EXPECT_EQ(Int("SELECT events FROM rollup_brand WHERE brand = 'apple' AND event_type = 'view'"),
            1);
  EXPECT_NEAR(Real("SELECT revenue FROM rollup_product WHERE department = 'appliances'"
                   " AND product = 'kettle' AND event_type = 'purchase'"),
              25.5, 1e-9);

  auto dead = Rows("SELECT stream, " + Q("partition") + ", " + Q("offset") +
                   ", reason, payload FROM dead_letters");
  ASSERT_EQ(dead.size(), 1u);
  EXPECT_EQ(*dead[0][0], "ecommercetopic");
  EXPECT_EQ(*dead[0][2], "3");
  EXPECT_EQ(*dead[0][3], "not JSON");
  EXPECT_EQ(Bytes(*dead[0][4]), std::string("\x01\xFF{broken", 9));  // bytes kept verbatim

  auto offsets = store->LoadOffsets("ecommercetopic", {});
  ASSERT_TRUE(offsets.ok()) << offsets.status().ToString();
  EXPECT_EQ(offsets.value(), (OffsetMap{{0, 4}, {1, 10}}));
  EXPECT_EQ(store->LoadOffsets("ecommercetopic", {1}).value(), (OffsetMap{{1, 10}}));
  EXPECT_TRUE(store->LoadOffsets("another-stream", {}).value().empty());

  auto stats = Rows("SELECT batches, events, dead_letters, last_batch_ms, " + Q("lag") +
                    " FROM processor_stats WHERE stream = 'ecommercetopic'");
  ASSERT_EQ(stats.size(), 1u);
  EXPECT_EQ(*stats[0][0] + " " + *stats[0][1] + " " + *stats[0][2], "1 3 1");
  EXPECT_DOUBLE_EQ(std::stod(*stats[0][3]), 12.5);
  EXPECT_EQ(*stats[0][4], "7");
}

// The cross-filters' rollups hold the same sums as the others, led by their filter column.
// The alert stage's calls (pipeline/alert_stage.h): rollup_10s and the departments' minutes read
// back over a span, alert changes kept once each however often they are written, and each rule's
// latest change read back (a restarted processor goes on from it).
TEST_P(ProcessedStoreContract, AlertsReadTheRollupsAndKeepEachChangeOnce) {
  auto store = OpenStore();
  ASSERT_TRUE(store->Commit(SampleBatch()).ok());
  const auto events = [&](const std::string& first, const std::string& end) {
    auto counts = store->ReadTenSecondCounts(first, end);
    EXPECT_TRUE(counts.ok()) << counts.status().ToString();
    if (!counts.ok()) return int64_t{-1};
    int64_t n = 0;
    for (const store::TenSecondCounts& c : *counts) n += c.events;
    return n;
  };
  EXPECT_EQ(events("2019-11-01 00:00:4", ""), 2);  // 00:00:40 and 00:01:10, not 00:00:05
  EXPECT_EQ(events("2019-11-01 00:00:0", "2019-11-01 00:01:1"), 2);  // not 00:01:10
  auto minutes = store->ReadDepartmentMinutes("2019-11-01 00:00", "2019-11-01 00:01");
  ASSERT_TRUE(minutes.ok()) << minutes.status().ToString();
  ASSERT_EQ(minutes->size(), 2u);  // electronics' view and purchase; not 00:01's kettle
  EXPECT_EQ((*minutes)[0].department, "electronics");
  EXPECT_EQ((*minutes)[0].bucket, "2019-11-01 00:00");
  EXPECT_EQ((*minutes)[0].events + (*minutes)[1].events, 2);

  const store::AlertRecord fired{
      "purchases_drop", "fired", "2019-11-01 00:01:10", "purchases", 2, 9, 15};
  ASSERT_TRUE(store->RecordAlerts({fired}).ok());
  auto latest = store->LoadLatestAlerts();
  ASSERT_TRUE(latest.ok()) << latest.status().ToString();
  ASSERT_EQ(latest->size(), 1u);
  EXPECT_EQ((*latest)[0].state, "fired");
  EXPECT_EQ((*latest)[0].at, "2019-11-01 00:01:10");
  ASSERT_TRUE(
      store
          ->RecordAlerts(
              {fired,
               {"purchases_drop", "resolved", "2019-11-01 00:02:00", "purchases", 14, 9, 15},
               {"conv/kids", "fired", "2019-11-01 00:02:00", "conversion", 1, 2, 3}})
          .ok());
  EXPECT_EQ(Int("SELECT COUNT(*) FROM alerts"), 3);
  EXPECT_NEAR(Real("SELECT threshold FROM alerts WHERE state = 'fired' AND rule ="
                   " 'purchases_drop'"),
              9.0, 1e-9);
  latest = store->LoadLatestAlerts();
  ASSERT_TRUE(latest.ok()) << latest.status().ToString();
  ASSERT_EQ(latest->size(), 2u);
  EXPECT_EQ((*latest)[0].rule + " " + (*latest)[0].state, "conv/kids fired");
  EXPECT_EQ((*latest)[1].rule + " " + (*latest)[1].state, "purchases_drop resolved");
}

TEST_P(ProcessedStoreContract, CommitKeepsTheCrossFilterRollups) {
  auto store = OpenStore();
  ASSERT_TRUE(store->Commit(SampleBatch()).ok());
  EXPECT_EQ(Int("SELECT SUM(events) FROM rollup_hour_brand_product"), 3);
  EXPECT_EQ(Int("SELECT events FROM rollup_hour_brand_product WHERE brand = 'apple'"
                " AND bucket = '2019-11-01 00' AND department = 'electronics'"
                " AND product = 'smartphone' AND event_type = 'purchase'"),
            1);
  EXPECT_NEAR(Real("SELECT revenue FROM rollup_hour_department_brand WHERE"
                   " department = 'appliances' AND bucket = '2019-11-01 00' AND brand = 'bosch'"
                   " AND event_type = 'purchase'"),
              25.5, 1e-9);
  EXPECT_EQ(Int("SELECT SUM(events) FROM rollup_brand_product WHERE brand = 'apple'"), 2);
}

// Users and sessions per scope, merged across batches: a batch of people already counted
// changes no byte, new people count.
TEST_P(ProcessedStoreContract, PeopleSketchesMergeAcrossBatches) {
  auto store = OpenStore();
  auto batch = [](int first_id, int users) {
    store::ProcessedBatch b;
    b.stream = "s";
    for (int i = 0; i < 200; ++i) {
      const int user = i % users;
      b.rows.push_back(
          By(MakeRow("p" + std::to_string(first_id + i),
                     "2019-11-03 1" + std::to_string(i % 3) + ":0" + std::to_string(i % 10) + ":00",
                     i % 20 == 0 ? "purchase" : (i % 5 == 0 ? "cart" : "view"),
                     i % 2 == 0 ? "electronics" : "kids", "p", i % 4 == 0 ? "apple" : "lego", 1.0),
             user, "session-" + std::to_string(user % 40)));
    }
    b.next_offsets = {{0, first_id + 200}};
    return b;
  };
  ASSERT_TRUE(store->Commit(batch(0, 50)).ok());
  ASSERT_TRUE(store->Flush().ok());
  EXPECT_EQ(Estimate("users"), 50);
  EXPECT_EQ(Estimate("sessions"), 40);
  // Counted by hand: sessions whose number is a multiple of 5 never view; purchases come from
  // users 0, 10, 20, 30 and 40, in sessions 0, 10, 20 and 30.
  EXPECT_EQ(Estimate("viewing"), 32);
  EXPECT_EQ(Estimate("carting"), 8);
  EXPECT_EQ(Estimate("buying"), 4);
  EXPECT_EQ(Estimate("users", "department", "", "electronics"), 25);
  // Brands by day, each within a department: apple is sold in electronics only.
  EXPECT_EQ(Estimate("users", "brand", "apple", "electronics", "2019-11-03"), 25);
  EXPECT_EQ(Estimate("users", "brand", "lego", "kids", "2019-11-03"), 25);
  EXPECT_EQ(Estimate("users", "brand", "lego", "electronics", "2019-11-03"), 25);
  for (const char* table : {"people_minute", "people_hour", "people_all"}) {
    EXPECT_EQ(Int(std::string("SELECT COUNT(*) FROM ") + table + " WHERE scope = 'brand'"), 0);
  }
  EXPECT_EQ(Int("SELECT COUNT(*) FROM people_day WHERE scope = 'all'"), 1);

  const std::string before = Sketch("users") + Sketch("sessions");
  ASSERT_TRUE(store->Commit(batch(1000, 50)).ok());  // new ids, the same people
  ASSERT_TRUE(store->Flush().ok());
  EXPECT_EQ(Sketch("users") + Sketch("sessions"), before);
  EXPECT_EQ(Int("SELECT COUNT(*) FROM operations"), 400);
  ASSERT_TRUE(store->Commit(batch(2000, 120)).ok());  // 70 more users
  ASSERT_TRUE(store->Flush().ok());
  EXPECT_EQ(Estimate("users"), 120);
  EXPECT_EQ(Estimate("sessions"), 40);
}

// A quiet stream's write-back, a piece a call: it ends, says so, and counts what Flush would.
TEST_P(ProcessedStoreContract, FlushPieceEndsWithEveryoneWrittenBack) {
  auto store = OpenStore();
  store::ProcessedBatch batch;
  batch.stream = "s";
  for (int i = 0; i < 60; ++i) {
    batch.rows.push_back(By(
        MakeRow("q" + std::to_string(i), "2019-11-03 10:00:00", "view", "kids", "p", "lego", 1.0),
        i % 30, "session-" + std::to_string(i % 12)));
  }
  batch.next_offsets = {{0, 60}};
  ASSERT_TRUE(store->Commit(batch).ok());
  bool done = false;
  for (int call = 0; call < 1000 && !done; ++call) {
    auto piece = store->FlushPiece();
    ASSERT_TRUE(piece.ok()) << piece.status().ToString();
    done = *piece;
  }
  ASSERT_TRUE(done) << "FlushPiece never said the write-back was done";
  EXPECT_EQ(Estimate("users"), 30);
  EXPECT_EQ(Estimate("sessions"), 12);
  auto again = store->FlushPiece();
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(*again);
}

// Enough people that the sketches turn dense: their blobs are written and read back whole.
TEST_P(ProcessedStoreContract, LargeSketchesAreWrittenAndStayWithinTwoPercent) {
  auto store = OpenStore();
  constexpr int kUsers = 8000;
  store::ProcessedBatch batch;
  batch.stream = "s";
  for (int i = 0; i < kUsers; ++i) {
    char time[24];
    std::snprintf(time, sizeof time, "2019-11-%02d %02d:%02d:00", 1 + i % 2, i % 4, i % 60);
    batch.rows.push_back(
        By(MakeRow("u" + std::to_string(i), time, "view", "d" + std::to_string(i % 10), "p",
                   "b" + std::to_string(i % 50), 1.0),
           i, "s" + std::to_string(i)));
  }
  batch.next_offsets = {{0, kUsers}};
  ASSERT_TRUE(store->Commit(batch).ok());
  ASSERT_TRUE(store->Flush().ok());
  EXPECT_NEAR(Estimate("users"), kUsers, kUsers * 0.02);
  EXPECT_NEAR(Estimate("sessions"), kUsers, kUsers * 0.02);
  EXPECT_EQ(Estimate("users", "department", "", "d7"), kUsers / 10);
  EXPECT_EQ(Int("SELECT COUNT(*) FROM people_day WHERE scope = 'all'"), 2);
  // Another batch of the same people leaves the dense sketches byte for byte.
  const std::string before = Sketch("users") + Sketch("viewing");
  for (CleanedEvent& row : batch.rows) row.id += "-again";
  ASSERT_TRUE(store->Commit(batch).ok());
  ASSERT_TRUE(store->Flush().ok());
  EXPECT_EQ(Sketch("users") + Sketch("viewing"), before);
}

// People are held in memory between write-backs. A processor that dies before one leaves the
// people offsets behind the offsets of record: the next one resumes there, the rows it reads
// again are not stored or counted twice, and their people are merged once.
TEST_P(ProcessedStoreContract, PeopleNotWrittenBackAreReadAgainAndCountedOnce) {
  auto people_batch = [](int first, int count, int64_t offset) {
    store::ProcessedBatch b;
    b.stream = "s";
    for (int i = first; i < first + count; ++i) {
      b.rows.push_back(By(
          MakeRow("r" + std::to_string(i), "2019-11-03 10:00:00", "view", "kids", "p", "lego", 1.0),
          i, "session-" + std::to_string(i)));
    }
    b.first_offsets = {{0, offset}};
    b.next_offsets = {{0, offset + count}};
    return b;
  };
  {
    auto store = OpenStore();
    ASSERT_TRUE(store->Commit(people_batch(0, 10, 0)).ok());
    ASSERT_TRUE(store->Flush().ok());
    ASSERT_TRUE(store->Commit(people_batch(10, 20, 10)).ok());
    // Killed here: the second batch's rows are stored, its people only held.
  }
  EXPECT_EQ(Int("SELECT COUNT(*) FROM operations"), 30);
  EXPECT_EQ(Estimate("users"), 10);
  EXPECT_EQ(Int("SELECT next_offset FROM people_offsets"), 10);

  auto store = OpenStore();
  EXPECT_EQ(store->LoadOffsets("s", {}).value(), (OffsetMap{{0, 10}}));
  // The second batch again, read from offset 10, and the next batch.
  ASSERT_TRUE(store->Commit(people_batch(10, 20, 10)).ok());
  ASSERT_TRUE(store->Commit(people_batch(30, 5, 30)).ok());
  ASSERT_TRUE(store->Flush().ok());
  EXPECT_EQ(Int("SELECT COUNT(*) FROM operations"), 35);
  EXPECT_EQ(Int("SELECT SUM(events) FROM rollup_minute"), 35);
  EXPECT_EQ(Estimate("users"), 35);
  EXPECT_EQ(Estimate("sessions", "department", "", "kids"), 35);
  EXPECT_EQ(Estimate("users", "brand", "lego", "kids", "2019-11-03"), 35);
  EXPECT_EQ(store->LoadOffsets("s", {}).value(), (OffsetMap{{0, 35}}));
  EXPECT_EQ(OpenStore()->LoadOffsets("s", {}).value(), (OffsetMap{{0, 35}}));
}

// A dead-letter replay moves no offset, so its rows' people are stored with them, not held for a
// write-back that a replay command never makes (and that no people offset could resume).
TEST_P(ProcessedStoreContract, ADeadLetterReplaysPeopleAreStoredWithItsRows) {
  {
    auto store = OpenStore();
    store::ProcessedBatch b;
    b.stream = "s";
    b.rows.push_back(
        By(MakeRow("d1", "2019-11-03 10:00:00", "view", "kids", "p", "lego", 1.0), 7, "session-7"));
    b.replayed.push_back({0, 3, "", "", ""});
    ASSERT_TRUE(store->Commit(b).ok());
  }
  EXPECT_EQ(Int("SELECT COUNT(*) FROM operations"), 1);
  EXPECT_EQ(Estimate("users"), 1);
  EXPECT_EQ(Estimate("users", "brand", "lego", "kids", "2019-11-03"), 1);
}

// A store whose people were written in each batch's transaction (before people_offsets) is
// caught up: Init fills people_offsets from the offsets of record, and nothing is read again.
TEST_P(ProcessedStoreContract, InitStartsPeopleOffsetsWhereAnOlderStoreStands) {
  {
    auto store = OpenStore();
    ASSERT_TRUE(store->Commit(SampleBatch()).ok());
    ASSERT_TRUE(store->Flush().ok());
  }
  ASSERT_TRUE(reader_->Exec("DROP TABLE people_offsets", "dropping").ok());
  auto store = OpenStore();
  EXPECT_EQ(Int("SELECT COUNT(*) FROM people_offsets"), 2);
  EXPECT_EQ(OpenStore()->LoadOffsets("ecommercetopic", {}).value(), (OffsetMap{{0, 4}, {1, 10}}));
}

// A store from before the cross-filters: Init fills their rollups from the rows, once. People
// cannot be filled from the rows (the seed's table drops users and sessions).
TEST_P(ProcessedStoreContract, InitFillsCrossFilterRollupsOfAnOlderStoreFromTheRows) {
  {
    auto store = OpenStore();
    ASSERT_TRUE(store->Commit(SampleBatch()).ok());
  }
  for (const char* table :
       {"rollup_hour_brand_product", "rollup_hour_department_brand", "rollup_brand_product",
        "rollup_10s", "people_minute", "people_hour", "people_day", "people_all"}) {
    ASSERT_TRUE(reader_->Exec(std::string("DROP TABLE ") + table, "dropping").ok());
  }
  OpenStore();
  OpenStore();  // the second Init must not fill again
  EXPECT_EQ(Int("SELECT SUM(events) FROM rollup_hour_brand_product"), 3);
  EXPECT_EQ(Int("SELECT events FROM rollup_hour_brand_product WHERE brand = 'bosch'"
                " AND bucket = '2019-11-01 00' AND department = 'appliances'"
                " AND product = 'kettle' AND event_type = 'purchase'"),
            1);
  EXPECT_NEAR(Real("SELECT SUM(revenue) FROM rollup_brand_product WHERE brand = 'apple'"), 489.07,
              1e-3);  // from the rows' FLOAT column
  EXPECT_EQ(Int("SELECT SUM(events) FROM rollup_hour_department_brand"), 3);
  // Ten seconds from the rows' times (each database's own DATETIME to text).
  EXPECT_EQ(Int("SELECT events FROM rollup_10s WHERE bucket = '2019-11-01 00:00:4'"
                " AND event_type = 'purchase'"),
            1);
  EXPECT_EQ(Int("SELECT SUM(events) FROM rollup_10s"), 3);
  EXPECT_EQ(Int("SELECT COUNT(*) FROM people_all"), 0);
}

TEST_P(ProcessedStoreContract, InitTwiceChangesNothing) {
  auto store = OpenStore();
  ASSERT_TRUE(store->Commit(SampleBatch()).ok());
  ASSERT_TRUE(store->Flush().ok());
  const std::string before = Totals();
  EXPECT_TRUE(store->Init().ok());
  auto again = OpenStore();
  EXPECT_EQ(Totals(), before);
}

// A store from before the coarse rollups: Init creates them and fills them from the fine ones,
// once.
TEST_P(ProcessedStoreContract, InitFillsCoarseRollupsOfAnOlderStore) {
  {
    auto store = OpenStore();
    ASSERT_TRUE(store->Commit(SampleBatch()).ok());
  }
  for (const char* table : {"rollup_hour", "rollup_day", "rollup_brand", "rollup_product"}) {
    ASSERT_TRUE(reader_->Exec(std::string("DROP TABLE ") + table, "dropping").ok());
  }
  OpenStore();
  OpenStore();  // the second Init must not fill again
  EXPECT_EQ(Int("SELECT SUM(events) FROM rollup_hour"), 3);
  EXPECT_EQ(Int("SELECT SUM(events) FROM rollup_day"), 3);
  EXPECT_EQ(Int("SELECT SUM(events) FROM rollup_brand"), 3);
  EXPECT_NEAR(Real("SELECT SUM(revenue) FROM rollup_product"),
              Real("SELECT SUM(revenue) FROM rollup_hour_product"), 1e-9);
}

TEST_P(ProcessedStoreContract, RerunningTheSameBatchAddsNothing) {
  auto store = OpenStore();
  const store::ProcessedBatch batch = SampleBatch();
  ASSERT_TRUE(store->Commit(batch).ok());
  ASSERT_TRUE(store->Flush().ok());
  const std::string before = Totals();
  EXPECT_EQ(before.substr(0, 18), "3/3/3/3/3/3/3/1/3/");
  ASSERT_TRUE(store->Commit(batch).ok());
  ASSERT_TRUE(store->Flush().ok());
  EXPECT_EQ(Totals(), before);
  // A commit retried after a lost COMMIT answer is this rerun: it is no new batch either.
  EXPECT_EQ(One("SELECT batches FROM processor_stats") + " " +
                One("SELECT events FROM processor_stats") + " " +
                One("SELECT dead_letters FROM processor_stats"),
            "1 3 1");
  // A store opened afresh (a restarted processor) skips them too.
  auto again = OpenStore();
  ASSERT_TRUE(again->Commit(batch).ok());
  EXPECT_EQ(Totals(), before);
}

// The processor's bisection (pipeline/refusal.h): the rows go in by parts without offsets or
// dead letters, then one commit carries those and the offsets. processor_stats sees one batch.
TEST_P(ProcessedStoreContract, ABisectedBatchCountsAsOneBatch) {
  auto store = OpenStore();
  const store::ProcessedBatch batch = SampleBatch();
  store::ProcessedBatch part;
  part.stream = batch.stream;
  for (const CleanedEvent& row : batch.rows) {
    part.rows = {row};
    ASSERT_TRUE(store->Commit(part).ok());
  }
  store::ProcessedBatch last = batch;
  last.rows.clear();
  ASSERT_TRUE(store->Commit(last).ok());
  EXPECT_EQ(One("SELECT batches FROM processor_stats") + " " +
                One("SELECT events FROM processor_stats") + " " +
                One("SELECT dead_letters FROM processor_stats"),
            "1 3 1");
}

TEST_P(ProcessedStoreContract, AnIdTwiceInOneBatchCountsOnce) {
  auto store = OpenStore();
  store::ProcessedBatch batch;
  batch.stream = "s";
  const CleanedEvent row =
      MakeRow("dup", "2019-11-02 10:00:00", "cart", "kids", "toys", "lego", 10);
  batch.rows = {row, row, row};
  batch.next_offsets = {{0, 3}};
  ASSERT_TRUE(store->Commit(batch).ok());
  EXPECT_EQ(Int("SELECT COUNT(*) FROM operations"), 1);
  EXPECT_EQ(Int("SELECT events FROM rollup_minute"), 1);
}

TEST_P(ProcessedStoreContract, ABatchMixingStoredAndNewIdsCountsOnlyTheNewOnes) {
  auto store = OpenStore();
  store::ProcessedBatch first;
  first.stream = "s";
  first.rows = {MakeRow("a", "2019-11-02 10:00:00", "cart", "kids", "toys", "lego", 10)};
  first.next_offsets = {{0, 1}};
  ASSERT_TRUE(store->Commit(first).ok());
  // "a" again (a producer that re-sent it) beside two new ids: only the new rows count.
  store::ProcessedBatch second;
  second.stream = "s";
  second.rows = {MakeRow("b", "2019-11-02 10:00:00", "cart", "kids", "toys", "lego", 20),
                 first.rows[0],
                 MakeRow("c", "2019-11-02 10:00:00", "cart", "kids", "toys", "lego", 30)};
  second.next_offsets = {{0, 4}};
  ASSERT_TRUE(store->Commit(second).ok());
  EXPECT_EQ(Int("SELECT COUNT(*) FROM operations"), 3);
  EXPECT_EQ(Int("SELECT events FROM rollup_minute"), 3);
  EXPECT_EQ(Int("SELECT events FROM processor_stats"), 3);
  EXPECT_NEAR(Real("SELECT SUM(price) FROM operations"), 60.0, 1e-6);
}

// Two writers of overlapping ids, as a rebalance overlap gives. The other writer's "x", inserted
// but not committed, escapes this store's locking read; its INSERT of "x" waits, and meets the
// committed id. That is a conflict to run again (the processor retries), never a failure, and
// the rerun counts "x" no more: it is the other writer's to count.
TEST_P(ProcessedStoreContract, AnIdAnotherWriterCommitsMeanwhileIsRetriedAndCountsOnce) {
  const std::string waiters = db_->LockWaitersQuery();
  if (waiters.empty()) GTEST_SKIP() << "SQLite takes one writer at a time";
  auto store = OpenStore();
  const CleanedEvent w = MakeRow("w", "2019-11-02 10:00:00", "cart", "kids", "toys", "lego", 10);
  const CleanedEvent x = MakeRow("x", "2019-11-02 10:00:00", "cart", "kids", "toys", "lego", 20);
  store::ProcessedBatch first;
  first.stream = "s";
  first.rows = {w};
  first.next_offsets = {{0, 1}};
  ASSERT_TRUE(store->Commit(first).ok());

  auto other = db_->Reader();
  ASSERT_TRUE(other.ok()) << other.status().ToString();
  ASSERT_TRUE((*other)->Exec(db_->dialect().BeginTransaction(), "begin").ok());
  std::string insert =
      "INSERT INTO operations(id, event_time, event_type, department, product, "
      "brand, price, revenue) VALUES (";
  for (size_t i = 0; i < 8; ++i) insert += (i > 0 ? ", " : "") + P(i);
  auto stmt = (*other)->Prepare(insert + ")", "the other writer's row");
  ASSERT_TRUE(stmt.ok()) << stmt.status().ToString();
  const SqlValue values[] = {std::string_view(x.id),
                             std::string_view(x.event_time),
                             std::string_view(x.event_type),
                             std::string_view(x.department),
                             std::string_view(x.product),
                             std::string_view(x.brand),
                             x.price,
                             x.revenue};
  ASSERT_TRUE((*stmt)->Execute(values).ok());

  // "w" first: the bulk load meets the stored "w" at once and is undone before it reaches "x".
  store::ProcessedBatch second;
  second.stream = "s";
  second.rows = {w, x};
  second.next_offsets = {{0, 3}};
  Status s;
  std::atomic<bool> done{false};
  std::thread writer([&] {
    s = store->Commit(second);
    done = true;
  });
  // The other writer commits once this store waits for its row (or has finished without).
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (!done && Int(waiters) == 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_TRUE((*other)->Exec("COMMIT", "commit").ok());
  writer.join();
  ASSERT_TRUE(s.ok() || s.retryable()) << s.ToString();
  if (!s.ok()) {
    s = store->Commit(second);
    ASSERT_TRUE(s.ok()) << s.ToString();
  }
  EXPECT_EQ(Int("SELECT COUNT(*) FROM operations"), 2);
  EXPECT_EQ(Int("SELECT SUM(events) FROM rollup_minute"), 1);
  EXPECT_EQ(store->LoadOffsets("s", {}).value(), (OffsetMap{{0, 3}}));
}

TEST_P(ProcessedStoreContract, OffsetsNeverMoveBackwards) {
  auto store = OpenStore();
  store::ProcessedBatch batch;
  batch.stream = "s";
  batch.next_offsets = {{0, 100}, {1, 5}};
  ASSERT_TRUE(store->Commit(batch).ok());
  // A member that lost partition 0 mid-batch commits an older offset after the new owner.
  batch.next_offsets = {{0, 40}, {1, 9}};
  ASSERT_TRUE(store->Commit(batch).ok());
  EXPECT_EQ(store->LoadOffsets("s", {}).value(), (OffsetMap{{0, 100}, {1, 9}}));
}

TEST_P(ProcessedStoreContract, HostileValuesAreStoredVerbatim) {
  auto store = OpenStore();
  const std::vector<std::string> hostile = {
      "'); DROP TABLE operations; --",
      "quote ' double \" back \\ slash \\' end",
      "emoji \xF0\x9F\x98\x80\xF0\x9F\x9B\x92 and \xE4\xB8\xAD\xE6\x96\x87",
      "trailing space ",
      "Trailing Space",  // differs from the one above only by case and the space
      "%_ wildcards \\%",
      "tab\there, line\nbreak\r\nand \\t \\n",  // the bulk paths' separators and escapes
      "\\N",                                    // their NULL marker, as text
      "NULL",
      "ctl \x01\x1B[31m\x7F end",
  };
  store::ProcessedBatch batch;
  batch.stream = "stream '); DROP TABLE stream_offsets; --";
  for (const std::string& text : hostile) {
    batch.rows.push_back(
        MakeRow(text, "2019-11-03 12:00:00", "purchase", text, text, text.substr(0, 50), 1.5));
  }
  batch.dead_letters = {
      {2, 9, "reason with '); DROP TABLE dead_letters; --", hostile[0], "json.syntax", ""}};
  batch.next_offsets = {{2, 10}};
  Status s = store->Commit(batch);
  ASSERT_TRUE(s.ok()) << s.ToString();

  auto rows = Rows("SELECT id, department, product FROM operations");
  ASSERT_EQ(rows.size(), hostile.size());
  std::vector<std::string> ids;
  for (const SqlRow& r : rows) {
    ids.push_back(*r[0]);
    EXPECT_EQ(*r[1], *r[0]);
    EXPECT_EQ(*r[2], *r[0]);
  }
  std::sort(ids.begin(), ids.end());
  std::vector<std::string> expected = hostile;
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(ids, expected);
  // Each id is found exactly as given, and only so.
  for (const std::string& id : hostile) {
    EXPECT_EQ(One("SELECT COUNT(*) FROM operations WHERE id = " + P(0), {std::string_view(id)}),
              "1")
        << id;
  }
  EXPECT_EQ(Int("SELECT COUNT(*) FROM operations WHERE id = 'trailing space'"), 0);
  EXPECT_EQ(Int("SELECT COUNT(*) FROM rollup_hour_brand"), static_cast<int64_t>(hostile.size()));
  EXPECT_EQ(One("SELECT reason FROM dead_letters"), batch.dead_letters[0].reason);
  EXPECT_EQ(Bytes(One("SELECT payload FROM dead_letters")), hostile[0]);
  EXPECT_EQ(store->LoadOffsets(batch.stream, {}).value(), (OffsetMap{{2, 10}}));
  ASSERT_TRUE(store->Commit(batch).ok());  // rerun: nothing more
  EXPECT_EQ(Int("SELECT SUM(events) FROM rollup_minute"), static_cast<int64_t>(hostile.size()));
}

// Enough rollup rows per table that a client-server store sends them through its bulk path
// (staged_upsert.h), with keys its text form must escape: the second batch adds to every row.
TEST_P(ProcessedStoreContract, ManyRollupRowsAddToStoredOnesExactly) {
  auto store = OpenStore();
  const std::vector<std::string> hostile = {"tab\there",         "line\nbreak\r\n",
                                            "back \\ slash \\t", "\\N",
                                            "quote ' \" end",    "emoji \xF0\x9F\x98\x80"};
  constexpr int kKeys = 300;
  auto batch = [&](const std::string& prefix, int64_t next) {
    store::ProcessedBatch b;
    b.stream = "staged";
    for (int k = 0; k < kKeys; ++k) {
      const std::string text = hostile[k % hostile.size()] + "#" + std::to_string(k);
      b.rows.push_back(By(MakeRow(prefix + std::to_string(k),
                                  "2019-11-06 0" + std::to_string(k % 10) + ":" +
                                      std::to_string(10 + k % 50) + ":00",
                                  "purchase", text, text, text, 0.1),
                          k, "session-" + std::to_string(k)));
    }
    b.next_offsets = {{0, next}};
    return b;
  };
  ASSERT_TRUE(store->Commit(batch("first-", kKeys)).ok());
  const int64_t sessions = Int("SELECT COUNT(*) FROM funnel_sessions");
  const store::ProcessedBatch second = batch("second-", 2 * kKeys);
  ASSERT_TRUE(store->Commit(second).ok());
  ASSERT_TRUE(store->Commit(second).ok());  // a rerun adds nothing
  for (const char* table : {"rollup_minute", "rollup_hour_brand", "rollup_hour_product",
                            "rollup_brand", "rollup_brand_product"}) {
    const std::string t = table;
    EXPECT_EQ(Int("SELECT COUNT(*) FROM " + t), kKeys) << t;
    EXPECT_EQ(Int("SELECT COUNT(*) FROM " + t + " WHERE events = 2"), kKeys) << t;
    EXPECT_NEAR(Real("SELECT SUM(revenue) FROM " + t), 0.2 * kKeys, 1e-9) << t;
  }
  for (const std::string& text : {hostile[0] + "#0", hostile[3] + "#3", hostile[5] + "#299"}) {
    EXPECT_EQ(One("SELECT events FROM rollup_brand_product WHERE brand = " + P(0) +
                      " AND department = " + P(1) + " AND product = " + P(2),
                  {std::string_view(text), std::string_view(text), std::string_view(text)}),
              "2")
        << text;
  }
  // Each session's funnel state once, replaced by the second batch's.
  EXPECT_GT(sessions, 0);
  EXPECT_EQ(Int("SELECT COUNT(*) FROM funnel_sessions"), sessions);
}

TEST_P(ProcessedStoreContract, AnyDeadLetterCanBeStored) {
  auto store = OpenStore();
  store::ProcessedBatch batch;
  batch.stream = "s";
  const std::string huge(3 << 20, '\xAB');  // 3 MiB of bytes that are not UTF-8
  for (int i = 0; i < 8; ++i)
    batch.dead_letters.push_back({0, i, "bad byte \xFF in reason", huge, "json.syntax", ""});
  batch.dead_letters.push_back({0, 8, std::string("NUL \0 in reason", 15), "x", "json.syntax", ""});
  batch.next_offsets = {{0, 9}};
  Status s = store->Commit(batch);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(Int("SELECT COUNT(*) FROM dead_letters"), 9);
  const std::string payload =
      Bytes(One("SELECT payload FROM dead_letters WHERE " + Q("offset") + " = 0"));
  EXPECT_GT(payload.size(), 0u);
  EXPECT_LE(payload.size(), size_t{64} * 1024);
  EXPECT_EQ(payload, huge.substr(0, payload.size()));
  EXPECT_EQ(One("SELECT reason FROM dead_letters WHERE " + Q("offset") + " = 0"),
            "bad byte \xEF\xBF\xBD in reason");
  EXPECT_EQ(One("SELECT reason FROM dead_letters WHERE " + Q("offset") + " = 8"),
            "NUL \xEF\xBF\xBD in reason");
}

TEST_P(ProcessedStoreContract, LargeBatchesAreWrittenWhole) {
  auto store = OpenStore();
  store::ProcessedBatch batch;
  batch.stream = "bulk";
  for (int i = 0; i < 1000; ++i) {
    batch.rows.push_back(
        MakeRow("bulk-" + std::to_string(i),
                "2019-11-04 0" + std::to_string(i % 10) + ":" + std::to_string(10 + i % 50) + ":00",
                i % 3 == 0 ? "purchase" : "view", "dept" + std::to_string(i % 7),
                "prod" + std::to_string(i % 11), "brand" + std::to_string(i % 13), 1.0));
  }
  for (int i = 0; i < 300; ++i)
    batch.dead_letters.push_back({0, 5000 + i, "bad", "x", "json.syntax", ""});
  batch.next_offsets = {{0, 5300}};
  ASSERT_TRUE(store->Commit(batch).ok());
  EXPECT_EQ(Int("SELECT COUNT(*) FROM operations"), 1000);
  EXPECT_EQ(Int("SELECT SUM(events) FROM rollup_minute"), 1000);
  EXPECT_EQ(Int("SELECT SUM(events) FROM rollup_hour_brand"), 1000);
  EXPECT_EQ(Int("SELECT SUM(events) FROM rollup_hour_product"), 1000);
  EXPECT_NEAR(Real("SELECT SUM(revenue) FROM rollup_minute"), 334, 1e-9);
  EXPECT_EQ(Int("SELECT COUNT(*) FROM dead_letters"), 300);

  // Half old, half new: only the new half counts.
  store::ProcessedBatch next;
  next.stream = "bulk";
  for (int i = 500; i < 1500; ++i) {
    next.rows.push_back(
        MakeRow("bulk-" + std::to_string(i), "2019-11-05 00:00:00", "view", "d", "p", "b", 1.0));
  }
  next.next_offsets = {{0, 6300}};
  ASSERT_TRUE(store->Commit(next).ok());
  EXPECT_EQ(Int("SELECT COUNT(*) FROM operations"), 1500);
  EXPECT_EQ(Int("SELECT events FROM rollup_minute WHERE bucket = '2019-11-05 00:00'"), 500);
  EXPECT_EQ(Int("SELECT events FROM processor_stats WHERE stream = 'bulk'"), 1500);
}

TEST_P(ProcessedStoreContract, ARefusedRowCommitsNothingAndTheStoreGoesOn) {
  auto store = OpenStore();
  store::ProcessedBatch batch = SampleBatch();
  batch.rows.push_back(
      MakeRow("bad", "2019-11-01 00:00:00", "view", "d", "p", std::string(51, 'b'), 1));
  Status s = store->Commit(batch);
  EXPECT_EQ(s.code(), StatusCode::kRefusedValue) << s.ToString();
  if (db_->judges_values()) {
    // A value only the server can judge (a date that does not exist): rolled back whole.
    batch = SampleBatch();
    batch.rows[2].event_time = "2019-02-30 00:00:00";
    s = store->Commit(batch);
    EXPECT_EQ(s.code(), StatusCode::kRefusedValue) << s.ToString();
  }
  EXPECT_EQ(Int("SELECT COUNT(*) FROM operations"), 0);
  EXPECT_EQ(Int("SELECT COUNT(*) FROM rollup_minute"), 0);
  EXPECT_EQ(Int("SELECT COUNT(*) FROM stream_offsets"), 0);
  EXPECT_EQ(Int("SELECT COUNT(*) FROM processor_stats"), 0);
  ASSERT_TRUE(store->Commit(SampleBatch()).ok());
  EXPECT_EQ(Int("SELECT COUNT(*) FROM operations"), 3);
}

TEST_P(ProcessedStoreContract, ALostConnectionIsRetryableAndTheNextCallReconnects) {
  auto store = OpenStore();
  ASSERT_TRUE(store->Commit(SampleBatch()).ok());
  reader_.reset();  // only the store's session is left
  if (!db_->KillOtherSessions()) GTEST_SKIP() << "a file has no sessions to lose";
  store::ProcessedBatch batch;
  batch.stream = "ecommercetopic";
  batch.rows = {MakeRow("after", "2019-11-06 00:00:00", "view", "d", "p", "b", 1)};
  batch.next_offsets = {{0, 5}};
  Status s = store->Commit(batch);
  EXPECT_EQ(s.code(), StatusCode::kUnavailable) << s.ToString();
  s = store->Commit(batch);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(store->LoadOffsets("ecommercetopic", {0}).value(), (OffsetMap{{0, 5}}));
}

TEST_P(ProcessedStoreContract, TheUriNamesTheRowsTable) {
  auto store = OpenStore("events_copy");
  ASSERT_TRUE(store->Commit(SampleBatch()).ok());
  EXPECT_EQ(Int("SELECT COUNT(*) FROM events_copy"), 3);
}

// Two processed tables in one database: each keeps its own offsets and rollups, so the second
// stores every row of the same stream (it stored none when the side tables were shared).
TEST_P(ProcessedStoreContract, EachTableOwnsItsOffsetsAndRollups) {
  auto first = OpenStore("owner_a");
  auto second = OpenStore("owner_b");
  store::ProcessedBatch batch = SampleBatch();
  ASSERT_TRUE(first->Commit(batch).ok());
  auto offsets = second->LoadOffsets(batch.stream, {});
  ASSERT_TRUE(offsets.ok());
  EXPECT_TRUE(offsets->empty()) << "owner_b sees owner_a's offsets";
  ASSERT_TRUE(second->Commit(batch).ok());
  for (const char* table : {"owner_a", "owner_b"}) {
    EXPECT_EQ(Int(std::string("SELECT COUNT(*) FROM ") + table), 3) << table;
    EXPECT_EQ(Int(std::string("SELECT SUM(events) FROM ") + table + "__rollup_minute"), 3) << table;
    EXPECT_EQ(Int(std::string("SELECT COUNT(*) FROM ") + table + "__stream_offsets"),
              static_cast<int64_t>(batch.next_offsets.size()))
        << table;
  }
}

// The session funnel (event/session_funnel.h) across a batch boundary: the state that a session
// carries from one batch to the next is stored in the first batch's transaction, and a batch
// committed again feeds nothing twice.
TEST_P(ProcessedStoreContract, SessionFunnelCarriesStateAcrossBatches) {
  auto store = OpenStore();
  ASSERT_TRUE(store->Commit(FunnelFirstBatch()).ok());
  store::ProcessedBatch second;
  second.stream = "s";
  second.rows = {
      FunnelRow("f4", "2019-11-01 10:20:00", "purchase", "s1", 7),
      FunnelRow("f5", "2019-11-01 11:10:00", "cart", "s2", 8)};  // 66 minutes on: too late
  second.next_offsets = {{0, 5}};
  auto again = OpenStore();  // a restarted processor: nothing but the store carries the state
  ASSERT_TRUE(again->Commit(second).ok());
  ASSERT_TRUE(again->Commit(second).ok());
  EXPECT_EQ(FunnelSteps(5), "2/1/0");
  EXPECT_EQ(FunnelSteps(30), "2/1/1");
  EXPECT_EQ(FunnelSteps(60), "2/1/1");
  EXPECT_EQ(One("SELECT bucket FROM funnel_hour WHERE window_minutes = 30 AND bought = 1"),
            "2019-11-01 10");
  // From the first view to the purchase: 20 minutes, the bucket [20, 30).
  EXPECT_EQ(Int("SELECT sessions FROM funnel_delay_hour WHERE window_minutes = 30 AND "
                "delay_seconds = 1200"),
            1);
  EXPECT_EQ(Int("SELECT COUNT(*) FROM funnel_delay_hour"), 2);
  EXPECT_EQ(Int("SELECT COUNT(*) FROM funnel_sessions"), 2);
}

// A store from before funnel_states kept one row per session and product in funnel_open: Init
// packs them into funnel_states and drops funnel_open, and the funnel goes on from them.
TEST_P(ProcessedStoreContract, InitCarriesAnOlderStoresOpenFunnelStatesOver) {
  {
    auto store = OpenStore();
    ASSERT_TRUE(store->Commit(FunnelFirstBatch()).ok());
  }
  // The same states as the older layout held them (10:00 is 1572602400), without funnel_states.
  ASSERT_TRUE(reader_
                  ->Exec("CREATE TABLE funnel_open (session_key BIGINT NOT NULL, product_id"
                         " BIGINT NOT NULL, first_view BIGINT NOT NULL, last_view BIGINT NOT"
                         " NULL, carted_view BIGINT NOT NULL, last_time BIGINT NOT NULL,"
                         " PRIMARY KEY(session_key, product_id))",
                         "creating")
                  .ok());
  ASSERT_TRUE(reader_
                  ->Exec("INSERT INTO funnel_open SELECT session_key, 7, 1572602400,"
                         " 1572602400, 1572602400, last_time FROM funnel_sessions"
                         " WHERE last_time = 1572602580",
                         "inserting")
                  .ok());
  ASSERT_TRUE(reader_
                  ->Exec("INSERT INTO funnel_open SELECT session_key, 8, 1572602640,"
                         " 1572602640, -9223372036854775807 - 1, last_time FROM funnel_sessions"
                         " WHERE last_time = 1572602640",
                         "inserting")
                  .ok());
  ASSERT_EQ(Int("SELECT COUNT(*) FROM funnel_open"), 2);
  ASSERT_TRUE(reader_->Exec("DROP TABLE funnel_states", "dropping").ok());

  auto store = OpenStore();
  EXPECT_EQ(Int("SELECT COUNT(*) FROM funnel_states"), 2);
  EXPECT_EQ(Int("SELECT MAX(last_time) FROM funnel_states"), 1572602640);
  EXPECT_FALSE(reader_->Exec("SELECT COUNT(*) FROM funnel_open", "reading the old table").ok());
  EXPECT_TRUE(OpenStore()->Init().ok());  // again: nothing left to move
  store::ProcessedBatch second;
  second.stream = "s";
  second.rows = {FunnelRow("f4", "2019-11-01 10:20:00", "purchase", "s1", 7),
                 FunnelRow("f5", "2019-11-01 10:30:00", "cart", "s2", 8)};
  second.next_offsets = {{0, 5}};
  ASSERT_TRUE(store->Commit(second).ok());
  // s1 bought within 30 minutes of its view; s2 carted 26 minutes after its view.
  EXPECT_EQ(FunnelSteps(5), "2/1/0");
  EXPECT_EQ(FunnelSteps(30), "2/2/1");
  EXPECT_EQ(FunnelSteps(60), "2/2/1");
}

// Stores trust a COMMIT that answers success to have stored the batch. PostgreSQL answers a
// COMMIT after a failed statement with success and the tag ROLLBACK; the client must report
// that as a failure, so that the batch is written again instead of lost.
TEST_P(ProcessedStoreContract, ACommitThatSucceedsStoredWhatItHeld) {
  ASSERT_TRUE(reader_->Exec("CREATE TABLE commit_probe (n INTEGER)", "creating").ok());
  ASSERT_TRUE(reader_->Exec(db_->dialect().BeginTransaction(), "beginning").ok());
  ASSERT_TRUE(reader_->Exec("INSERT INTO commit_probe VALUES (1)", "inserting").ok());
  EXPECT_FALSE(reader_->Exec("SELECT * FROM no_such_table", "failing on purpose").ok());
  const bool committed = reader_->Exec("COMMIT", "committing").ok();
  EXPECT_EQ(One("SELECT count(*) FROM commit_probe"), committed ? "1" : "0");
}

// rollup_block_brand_wide holds rollup_hour_brand summed over each block of 3, 12 and 24 hours,
// rollup_days_brand_wide over each block of 2 and 4 days (event/hour_blocks.h), a row per brand
// and block with a column per event type, written once per new row: a batch committed again adds
// nothing, and a store made before a table fills it from rollup_hour_brand, once; a store that
// kept blocks with a row per event type has those tables dropped.
TEST_P(ProcessedStoreContract, BlockRollupEqualsTheHoursItSums) {
  auto store = OpenStore();
  auto batch = [](int first, int n) {
    store::ProcessedBatch b;
    b.stream = "s";
    const char* types[] = {"view", "cart", "purchase"};
    const char* brands[] = {"apple", "lego", "bosch"};
    for (int i = first; i < first + n; ++i) {
      char time[32];
      // Five days: 2019-11-01 is day 18201, so they cross blocks of 2 and of 4 days.
      std::snprintf(time, sizeof time, "2019-11-0%d %02d:%02d:00", 1 + (i * 7) % 5, (i * 5) % 24,
                    i % 60);
      b.rows.push_back(MakeRow("b" + std::to_string(i), time, types[i % 3], "electronics", "p",
                               brands[(i / 3) % 3], 0.25 * (1 + i % 8)));
    }
    b.next_offsets = {{0, first + n}};
    return b;
  };
  ASSERT_TRUE(store->Commit(batch(0, 150)).ok());
  ASSERT_TRUE(store->Commit(batch(150, 150)).ok());
  ASSERT_TRUE(store->Commit(batch(150, 150)).ok());  // again: its rows are not new
  // events, views, carts, purchases, revenue by table, span, block and brand.
  using Sums = std::map<std::string, std::pair<std::array<int64_t, 4>, double>>;
  const auto as_text = [](const Sums& m) {
    std::string out;
    for (const auto& [key, v] : m) {
      out += key + "=";
      for (int64_t n : v.first) out += std::to_string(n) + "/";
      out += std::to_string(v.second) + "\n";
    }
    return out;
  };
  const auto recount = [&] {
    Sums sums;
    for (const SqlRow& r :
         Rows("SELECT bucket, brand, event_type, events, revenue FROM rollup_hour_brand")) {
      std::vector<int> spans(kHourBlockSpans.begin(), kHourBlockSpans.end());
      spans.insert(spans.end(), kDayBlockSpans.begin(), kDayBlockSpans.end());
      for (int span : spans) {
        auto& v = sums[std::string(HourBlockTable(span)) + " " + std::to_string(span) + " " +
                       HourBlockOf(*r[0], span) + " " + *r[1]];
        const int64_t n = std::stoll(*r[3]);
        v.first[0] += n;
        v.first[1] += *r[2] == "view" ? n : 0;
        v.first[2] += *r[2] == "cart" ? n : 0;
        v.first[3] += *r[2] == "purchase" ? n : 0;
        v.second += std::stod(*r[4]);
      }
    }
    return as_text(sums);
  };
  const auto blocks = [&] {
    Sums found;
    for (const std::string table : {"rollup_block_brand_wide", "rollup_days_brand_wide"}) {
      for (const SqlRow& r : Rows("SELECT hours, bucket, brand, events, views, carts, purchases,"
                                  " revenue FROM " +
                                  table)) {
        found[table + " " + *r[0] + " " + *r[1] + " " + *r[2]] = {
            {std::stoll(*r[3]), std::stoll(*r[4]), std::stoll(*r[5]), std::stoll(*r[6])},
            std::stod(*r[7])};
      }
    }
    return as_text(found);
  };
  EXPECT_EQ(Int("SELECT SUM(events) FROM rollup_block_brand_wide WHERE hours = '24'"), 300);
  EXPECT_EQ(Int("SELECT SUM(views) + SUM(carts) + SUM(purchases) FROM rollup_block_brand_wide"
                " WHERE hours = '3'"),
            300);
  EXPECT_EQ(Int("SELECT COUNT(*) FROM rollup_block_brand_wide WHERE hours = '12' AND bucket NOT"
                " LIKE '% 00' AND bucket NOT LIKE '% 12'"),
            0);
  EXPECT_EQ(Int("SELECT SUM(events) FROM rollup_days_brand_wide WHERE hours = '96'"), 300);
  // 2019-11-01 is in the 2-day block from 2019-10-31 and the 4-day block from 2019-10-31;
  // 2019-11-05 in those from 2019-11-04.
  EXPECT_EQ(Int("SELECT COUNT(DISTINCT bucket) FROM rollup_days_brand_wide WHERE hours = '48'"), 3);
  EXPECT_EQ(One("SELECT MIN(bucket) FROM rollup_days_brand_wide WHERE hours = '96'"),
            "2019-10-31 00");
  EXPECT_EQ(One("SELECT MAX(bucket) FROM rollup_days_brand_wide WHERE hours = '96'"),
            "2019-11-04 00");
  const std::string expected = recount();
  EXPECT_EQ(blocks(), expected);
  // A store made before either table, which kept blocks with a row per event type: both filled
  // from rollup_hour_brand by the next Init, and the retired tables dropped.
  ASSERT_TRUE(reader_->Exec("DROP TABLE rollup_block_brand_wide", "dropping").ok());
  ASSERT_TRUE(reader_->Exec("DROP TABLE rollup_days_brand_wide", "dropping").ok());
  for (std::string_view retired : sql::kRetiredRollups) {
    ASSERT_TRUE(reader_
                    ->Exec("CREATE TABLE " + std::string(retired) + " (hours VARCHAR(2))",
                           "making a retired table")
                    .ok());
  }
  OpenStore();
  OpenStore();  // the second Init must not fill again
  EXPECT_EQ(blocks(), expected);
  for (std::string_view retired : sql::kRetiredRollups) {
    EXPECT_EQ(One(db_->dialect().TableExistsQuery(), {retired}), "0") << retired;
  }
  // A store made after rollup_block_brand_wide but before rollup_days_brand_wide.
  ASSERT_TRUE(reader_->Exec("DROP TABLE rollup_days_brand_wide", "dropping").ok());
  OpenStore();
  EXPECT_EQ(blocks(), expected);
  // A first start cut short between making a table and filling it (MariaDB commits the CREATE
  // TABLE at once): the empty table beside stored rows is filled by the next.
  ASSERT_TRUE(reader_->Exec("DELETE FROM rollup_days_brand_wide", "emptying").ok());
  OpenStore();
  EXPECT_EQ(blocks(), expected);
}

INSTANTIATE_TEST_SUITE_P(EveryDatabase, ProcessedStoreContract,
                         ::testing::Range(size_t{0}, Backends().size()),
                         [](const auto& info) { return Backends()[info.param].name; });

}  // namespace
}  // namespace shopstream::conformance
