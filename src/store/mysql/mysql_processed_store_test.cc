// Integration test of the MySQL processed store against a real MariaDB (scripts/stack up
// mariadb). Each run works in a throwaway database ecommerce_test_<pid>_<time> that it drops at
// the end. Without a server the tests are skipped with a loud message (and fail under CI=true).
//
// Server: 127.0.0.1:$STACK_MYSQL_PORT (3306), user admin, credentials from the option file
// $SHOPSTREAM_MYSQL_OPTION_FILE or .cache/run/mysql.cnf of the source tree.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <ctime>
#include <iostream>

#include "mysql/mysql_client.h"
#include "store/mysql/mysql_stores.h"

namespace shopstream {
namespace {

using mysql::Connection;
using mysql::Row;
using mysql::Value;

std::string Env(const char* name, const std::string& fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? v : fallback;
}

std::string OptionFile() {
  return Env("SHOPSTREAM_MYSQL_OPTION_FILE",
             std::string(SHOPSTREAM_SOURCE_DIR) + "/.cache/run/mysql.cnf");
}

int Port() { return std::stoi(Env("STACK_MYSQL_PORT", "3306")); }

mysql::ConnectOptions AdminOptions(const std::string& database) {
  mysql::ConnectOptions o;
  o.host = "127.0.0.1";
  o.port = Port();
  o.user = "admin";
  o.database = database;
  o.option_file = OptionFile();
  return o;
}

class MysqlProcessedStoreTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto admin = Connection::Open(AdminOptions(""));
    if (!admin.ok()) {
      skip_reason_ = "no MariaDB to test against (" + admin.status().ToString() +
                     "); run `scripts/stack up mariadb` first";
      std::cerr << "\n!!! SKIPPING the MySQL store tests: " << skip_reason_ << "\n\n";
      return;
    }
    database_ =
        "ecommerce_test_" + std::to_string(getpid()) + "_" + std::to_string(std::time(nullptr));
    Status s = admin.value()->Exec("CREATE DATABASE " + mysql::QuoteIdentifier(database_).value(),
                                   "creating the test database");
    ASSERT_TRUE(s.ok()) << s.ToString();
  }

  static void TearDownTestSuite() {
    if (database_.empty()) return;
    auto admin = Connection::Open(AdminOptions(""));
    if (admin.ok()) {
      admin.value()->Exec("DROP DATABASE " + mysql::QuoteIdentifier(database_).value(),
                          "dropping the test database");
    }
  }

  void SetUp() override {
    if (!skip_reason_.empty()) {
      if (Env("CI", "") == "true") FAIL() << skip_reason_;
      GTEST_SKIP() << skip_reason_;
    }
    ASSERT_FALSE(database_.empty());
    auto conn = Connection::Open(AdminOptions(database_));
    ASSERT_TRUE(conn.ok()) << conn.status().ToString();
    reader_ = std::move(conn).value();
    // A fresh schema per test: the store's Init creates it again.
    for (const char* table :
         {"operations", "rollup_minute", "rollup_hour_brand", "rollup_hour_product", "rollup_hour",
          "rollup_day", "rollup_brand", "rollup_product", "stream_offsets", "dead_letters",
          "processor_stats", "events_copy"}) {
      ASSERT_TRUE(reader_->Exec(std::string("DROP TABLE IF EXISTS ") + table, "cleaning").ok());
    }
  }

  std::string UriText(const std::string& table = "operations") const {
    return "mysql://admin@127.0.0.1:" + std::to_string(Port()) + "/" + database_ + "." + table +
           "?option-file=" + OptionFile();
  }

  std::unique_ptr<ProcessedStore> OpenStore(const std::string& table = "operations") {
    auto uri = ParseUri(UriText(table));
    EXPECT_TRUE(uri.ok()) << uri.status().ToString();
    auto store = OpenMysqlProcessedStore(uri.value());
    EXPECT_TRUE(store.ok()) << store.status().ToString();
    Status s = store.value()->Init();
    EXPECT_TRUE(s.ok()) << s.ToString();
    return std::move(store).value();
  }

  std::vector<Row> Query(const std::string& sql, const std::vector<Value>& params = {}) {
    auto stmt = reader_->Prepare(sql, "test query");
    EXPECT_TRUE(stmt.ok()) << stmt.status().ToString();
    if (!stmt.ok()) return {};
    auto rows = stmt.value().Query(params);
    EXPECT_TRUE(rows.ok()) << rows.status().ToString();
    return rows.ok() ? rows.value() : std::vector<Row>{};
  }

  std::string One(const std::string& sql, const std::vector<Value>& params = {}) {
    auto rows = Query(sql, params);
    if (rows.size() != 1 || rows[0].empty() || !rows[0][0]) return "<none>";
    return *rows[0][0];
  }

  static inline std::string skip_reason_;
  static inline std::string database_;
  std::unique_ptr<Connection> reader_;
};

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
  return row;
}

ProcessedBatch SampleBatch() {
  ProcessedBatch batch;
  batch.stream = "ecommercetopic";
  batch.rows = {
      MakeRow("a1", "2019-11-01 00:00:05", "view", "electronics", "smartphone", "apple", 489.07),
      MakeRow("a2", "2019-11-01 00:00:40", "purchase", "electronics", "smartphone", "apple",
              489.07),
      MakeRow("a3", "2019-11-01 00:01:10", "purchase", "appliances", "kettle", "bosch", 25.5),
  };
  batch.dead_letters = {{0, 3, "not JSON", std::string("\x00\xFF{broken", 9)}};
  batch.next_offsets = {{0, 4}, {1, 10}};
  batch.batch_millis = 12.5;
  batch.lag = 7;
  return batch;
}

TEST_F(MysqlProcessedStoreTest, InitCreatesTheSeedTableExactly) {
  auto store = OpenStore();
  auto columns = Query(
      "SELECT COLUMN_NAME, COLUMN_TYPE, IS_NULLABLE, COLUMN_KEY FROM information_schema.COLUMNS"
      " WHERE TABLE_SCHEMA = ? AND TABLE_NAME = 'operations' ORDER BY ORDINAL_POSITION",
      {Value(std::string_view(database_))});
  std::vector<std::string> got;
  for (const Row& r : columns) got.push_back(*r[0] + " " + *r[1] + " " + *r[2] + " " + *r[3]);
  EXPECT_EQ(got,
            (std::vector<std::string>{"id varchar(100) NO PRI", "event_time datetime YES ",
                                      "event_type varchar(20) YES ", "department varchar(50) YES ",
                                      "product varchar(50) YES ", "brand varchar(50) YES ",
                                      "price float YES ", "revenue float YES "}));
  auto tables = Query(
      "SELECT TABLE_NAME, TABLE_COLLATION FROM information_schema.TABLES WHERE TABLE_SCHEMA = ?"
      " ORDER BY TABLE_NAME",
      {Value(std::string_view(database_))});
  std::vector<std::string> names;
  for (const Row& r : tables) {
    names.push_back(*r[0]);
    EXPECT_EQ(r[1].value_or(""), "utf8mb4_nopad_bin") << *r[0];
  }
  EXPECT_EQ(names, (std::vector<std::string>{"dead_letters", "operations", "processor_stats",
                                             "rollup_brand", "rollup_day", "rollup_hour",
                                             "rollup_hour_brand", "rollup_hour_product",
                                             "rollup_minute", "rollup_product", "stream_offsets"}));
  // Init again on existing tables changes nothing.
  EXPECT_TRUE(store->Init().ok());
}

TEST_F(MysqlProcessedStoreTest, CommitWritesRowsRollupsDeadLettersOffsetsAndStats) {
  auto store = OpenStore();
  ASSERT_TRUE(store->Commit(SampleBatch()).ok());

  auto rows = Query(
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

  EXPECT_EQ(One("SELECT CONCAT(events, ' ', ROUND(revenue, 2)) FROM rollup_minute"
                " WHERE bucket = '2019-11-01 00:00' AND event_type = 'purchase'"
                " AND department = 'electronics'"),
            "1 489.07");
  EXPECT_EQ(One("SELECT SUM(events) FROM rollup_minute"), "3");
  EXPECT_EQ(One("SELECT events FROM rollup_hour_brand WHERE bucket = '2019-11-01 00'"
                " AND brand = 'apple' AND event_type = 'view'"),
            "1");
  EXPECT_EQ(One("SELECT ROUND(revenue, 2) FROM rollup_hour_product WHERE"
                " bucket = '2019-11-01 00' AND department = 'appliances' AND product = 'kettle'"
                " AND event_type = 'purchase'"),
            "25.50");
  // The coarse copies hold the same sums.
  EXPECT_EQ(One("SELECT SUM(events) FROM rollup_hour WHERE bucket = '2019-11-01 00'"), "3");
  EXPECT_EQ(One("SELECT SUM(events) FROM rollup_day WHERE bucket = '2019-11-01'"), "3");
  EXPECT_EQ(One("SELECT events FROM rollup_brand WHERE brand = 'apple' AND event_type = 'view'"),
            "1");
  EXPECT_EQ(One("SELECT ROUND(revenue, 2) FROM rollup_product WHERE department = 'appliances'"
                " AND product = 'kettle' AND event_type = 'purchase'"),
            "25.50");

  auto dead = Query("SELECT stream, `partition`, `offset`, reason, payload FROM dead_letters");
  ASSERT_EQ(dead.size(), 1u);
  EXPECT_EQ(*dead[0][0], "ecommercetopic");
  EXPECT_EQ(*dead[0][2], "3");
  EXPECT_EQ(*dead[0][3], "not JSON");
  EXPECT_EQ(*dead[0][4], std::string("\x00\xFF{broken", 9));  // bytes kept verbatim

  auto offsets = store->LoadOffsets("ecommercetopic", {});
  ASSERT_TRUE(offsets.ok()) << offsets.status().ToString();
  EXPECT_EQ(offsets.value(), (OffsetMap{{0, 4}, {1, 10}}));
  auto only_one = store->LoadOffsets("ecommercetopic", {1});
  ASSERT_TRUE(only_one.ok());
  EXPECT_EQ(only_one.value(), (OffsetMap{{1, 10}}));
  auto other = store->LoadOffsets("another-stream", {});
  ASSERT_TRUE(other.ok());
  EXPECT_TRUE(other.value().empty());

  EXPECT_EQ(One("SELECT CONCAT_WS(' ', batches, events, dead_letters, last_batch_ms, lag)"
                " FROM processor_stats WHERE stream = 'ecommercetopic'"),
            "1 3 1 12.5 7");
}

// A database from before the coarse rollups: Init creates them and fills them from the fine
// ones, once.
TEST_F(MysqlProcessedStoreTest, InitFillsCoarseRollupsOfAnOlderDatabase) {
  {
    auto store = OpenStore();
    ASSERT_TRUE(store->Commit(SampleBatch()).ok());
  }
  for (const char* table : {"rollup_hour", "rollup_day", "rollup_brand", "rollup_product"}) {
    ASSERT_TRUE(reader_->Exec(std::string("DROP TABLE ") + table, "dropping").ok());
  }
  OpenStore();
  OpenStore();  // the second Init must not fill again
  EXPECT_EQ(One("SELECT SUM(events) FROM rollup_hour"), "3");
  EXPECT_EQ(One("SELECT SUM(events) FROM rollup_day"), "3");
  EXPECT_EQ(One("SELECT SUM(events) FROM rollup_brand"), "3");
  EXPECT_EQ(One("SELECT ROUND(SUM(revenue), 2) FROM rollup_product"),
            One("SELECT ROUND(SUM(revenue), 2) FROM rollup_hour_product"));
}

TEST_F(MysqlProcessedStoreTest, RerunningTheSameBatchAddsNothing) {
  auto store = OpenStore();
  const ProcessedBatch batch = SampleBatch();
  ASSERT_TRUE(store->Commit(batch).ok());
  const std::string rollups =
      "SELECT CONCAT_WS('/', (SELECT SUM(events) FROM rollup_minute),"
      " (SELECT SUM(events) FROM rollup_hour_brand), (SELECT SUM(events) FROM"
      " rollup_hour_product), (SELECT ROUND(SUM(revenue), 2) FROM rollup_minute),"
      " (SELECT SUM(events) FROM rollup_hour), (SELECT SUM(events) FROM rollup_product))";
  const std::string before = One(rollups);
  EXPECT_EQ(before, "3/3/3/514.57/3/3");

  ASSERT_TRUE(store->Commit(batch).ok());
  EXPECT_EQ(One("SELECT COUNT(*) FROM operations"), "3");
  EXPECT_EQ(One(rollups), before);
  EXPECT_EQ(One("SELECT COUNT(*) FROM dead_letters"), "1");
  EXPECT_EQ(One("SELECT CONCAT_WS(' ', batches, events) FROM processor_stats"), "2 3");

  // A store opened afresh (a restarted processor) skips them too.
  auto again = OpenStore();
  ASSERT_TRUE(again->Commit(batch).ok());
  EXPECT_EQ(One(rollups), before);
}

TEST_F(MysqlProcessedStoreTest, AnIdTwiceInOneBatchCountsOnce) {
  auto store = OpenStore();
  ProcessedBatch batch;
  batch.stream = "s";
  const CleanedEvent row =
      MakeRow("dup", "2019-11-02 10:00:00", "cart", "kids", "toys", "lego", 10);
  batch.rows = {row, row, row};
  batch.next_offsets = {{0, 3}};
  ASSERT_TRUE(store->Commit(batch).ok());
  EXPECT_EQ(One("SELECT COUNT(*) FROM operations"), "1");
  EXPECT_EQ(One("SELECT events FROM rollup_minute"), "1");
}

TEST_F(MysqlProcessedStoreTest, ABatchMixingStoredAndNewIdsCountsOnlyTheNewOnes) {
  auto store = OpenStore();
  ProcessedBatch first;
  first.stream = "s";
  first.rows = {MakeRow("a", "2019-11-02 10:00:00", "cart", "kids", "toys", "lego", 10)};
  first.next_offsets = {{0, 1}};
  ASSERT_TRUE(store->Commit(first).ok());
  // "a" again (a producer that re-sent it) beside two new ids: the fast insert finds the
  // stored one, is undone, and only the new rows are inserted and counted.
  ProcessedBatch second;
  second.stream = "s";
  second.rows = {MakeRow("b", "2019-11-02 10:00:00", "cart", "kids", "toys", "lego", 20),
                 first.rows[0],
                 MakeRow("c", "2019-11-02 10:00:00", "cart", "kids", "toys", "lego", 30)};
  second.next_offsets = {{0, 4}};
  ASSERT_TRUE(store->Commit(second).ok());
  EXPECT_EQ(One("SELECT COUNT(*) FROM operations"), "3");
  EXPECT_EQ(One("SELECT CONCAT_WS(' ', events, ROUND(revenue, 2)) FROM rollup_minute"), "3 0.00");
  EXPECT_EQ(One("SELECT events FROM processor_stats"), "3");
  EXPECT_EQ(One("SELECT ROUND(SUM(price), 2) FROM operations"), "60.00");
}

TEST_F(MysqlProcessedStoreTest, HostileValuesAreStoredVerbatim) {
  auto store = OpenStore();
  const std::vector<std::string> hostile = {
      "'); DROP TABLE operations; --",
      "quote ' double \" back \\ slash \\' end",
      "emoji \xF0\x9F\x98\x80\xF0\x9F\x9B\x92 and \xE4\xB8\xAD\xE6\x96\x87",
      "trailing space ",
      "Trailing Space",  // differs from the one above only by case and the space
      "%_ wildcards \\%",
      "tab\there, line\nbreak\r\nand \\t \\n",  // LOAD DATA's separators and escapes
      "\\N",                                    // LOAD DATA's NULL marker, as text
      "NULL",
  };
  ProcessedBatch batch;
  batch.stream = "stream '); DROP TABLE stream_offsets; --";
  for (size_t i = 0; i < hostile.size(); ++i) {
    batch.rows.push_back(MakeRow(hostile[i], "2019-11-03 12:00:00", "purchase", hostile[i],
                                 hostile[i], hostile[i], 1.5));
  }
  batch.dead_letters = {{2, 9, "reason with '); DROP TABLE dead_letters; --", hostile[0]}};
  batch.next_offsets = {{2, 10}};
  Status s = store->Commit(batch);
  ASSERT_TRUE(s.ok()) << s.ToString();

  auto rows = Query("SELECT id, department, product, brand FROM operations");
  ASSERT_EQ(rows.size(), hostile.size());
  std::vector<std::string> ids;
  for (const Row& r : rows) {
    ids.push_back(*r[0]);
    EXPECT_EQ(*r[1], *r[0]);
    EXPECT_EQ(*r[2], *r[0]);
    EXPECT_EQ(*r[3], *r[0]);
  }
  std::sort(ids.begin(), ids.end());
  std::vector<std::string> expected = hostile;
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(ids, expected);
  // Each id is found exactly as given, and only so.
  for (const std::string& id : hostile) {
    EXPECT_EQ(One("SELECT COUNT(*) FROM operations WHERE id = ?", {Value(std::string_view(id))}),
              "1")
        << id;
  }
  EXPECT_EQ(One("SELECT COUNT(*) FROM operations WHERE id = 'trailing space'"), "0");
  EXPECT_EQ(One("SELECT COUNT(*) FROM rollup_hour_brand"), std::to_string(hostile.size()));
  EXPECT_EQ(One("SELECT reason FROM dead_letters"), batch.dead_letters[0].reason);
  EXPECT_EQ(One("SELECT payload FROM dead_letters"), hostile[0]);
  auto offsets = store->LoadOffsets(batch.stream, {});
  ASSERT_TRUE(offsets.ok());
  EXPECT_EQ(offsets.value(), (OffsetMap{{2, 10}}));

  // Rerun: nothing more.
  ASSERT_TRUE(store->Commit(batch).ok());
  EXPECT_EQ(One("SELECT COUNT(*) FROM operations"), std::to_string(hostile.size()));
  EXPECT_EQ(One("SELECT SUM(events) FROM rollup_minute"), std::to_string(hostile.size()));
}

TEST_F(MysqlProcessedStoreTest, AnyDeadLetterCanBeStored) {
  auto store = OpenStore();
  ProcessedBatch batch;
  batch.stream = "s";
  const std::string huge(3 << 20, '\xAB');  // 3 MiB of bytes that are not UTF-8
  for (int i = 0; i < 8; ++i) {
    batch.dead_letters.push_back({0, i, "bad byte \xFF in reason", huge});
  }
  batch.next_offsets = {{0, 8}};
  Status s = store->Commit(batch);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(One("SELECT COUNT(*) FROM dead_letters"), "8");
  EXPECT_EQ(One("SELECT MAX(LENGTH(payload)) FROM dead_letters"), std::to_string(32 * 1024));
  EXPECT_EQ(One("SELECT reason FROM dead_letters WHERE `offset` = 0"),
            "bad byte \xEF\xBF\xBD in reason");
}

TEST_F(MysqlProcessedStoreTest, LargeBatchesAreWrittenInChunks) {
  auto store = OpenStore();
  ProcessedBatch batch;
  batch.stream = "bulk";
  for (int i = 0; i < 1000; ++i) {  // 256+256+256+128+64+32+8
    batch.rows.push_back(
        MakeRow("bulk-" + std::to_string(i),
                "2019-11-04 0" + std::to_string(i % 10) + ":" + std::to_string(10 + i % 50) + ":00",
                i % 3 == 0 ? "purchase" : "view", "dept" + std::to_string(i % 7),
                "prod" + std::to_string(i % 11), "brand" + std::to_string(i % 13), 1.0));
  }
  for (int i = 0; i < 300; ++i) batch.dead_letters.push_back({0, 5000 + i, "bad", "x"});
  batch.next_offsets = {{0, 5300}};
  ASSERT_TRUE(store->Commit(batch).ok());
  EXPECT_EQ(One("SELECT COUNT(*) FROM operations"), "1000");
  EXPECT_EQ(One("SELECT SUM(events) FROM rollup_minute"), "1000");
  EXPECT_EQ(One("SELECT SUM(events) FROM rollup_hour_brand"), "1000");
  EXPECT_EQ(One("SELECT SUM(events) FROM rollup_hour_product"), "1000");
  EXPECT_EQ(One("SELECT ROUND(SUM(revenue)) FROM rollup_minute"), "334");
  EXPECT_EQ(One("SELECT COUNT(*) FROM dead_letters"), "300");

  // Half old, half new: only the new half counts.
  ProcessedBatch next;
  next.stream = "bulk";
  for (int i = 500; i < 1500; ++i) {
    next.rows.push_back(
        MakeRow("bulk-" + std::to_string(i), "2019-11-05 00:00:00", "view", "d", "p", "b", 1.0));
  }
  next.next_offsets = {{0, 6300}};
  ASSERT_TRUE(store->Commit(next).ok());
  EXPECT_EQ(One("SELECT COUNT(*) FROM operations"), "1500");
  EXPECT_EQ(One("SELECT events FROM rollup_minute WHERE bucket = '2019-11-05 00:00'"), "500");
  EXPECT_EQ(One("SELECT events FROM processor_stats WHERE stream = 'bulk'"), "1500");
}

TEST_F(MysqlProcessedStoreTest, ABadRowCommitsNothing) {
  auto store = OpenStore();
  ProcessedBatch batch = SampleBatch();
  batch.rows.push_back(
      MakeRow("bad", "2019-11-01 00:00:00", "view", "d", "p", std::string(51, 'b'), 1));
  Status s = store->Commit(batch);
  EXPECT_EQ(s.code(), StatusCode::kRefusedValue) << s.ToString();
  EXPECT_FALSE(s.retryable());

  // A value only the server can judge (a date that does not exist): rolled back whole.
  batch = SampleBatch();
  batch.rows[2].event_time = "2019-02-30 00:00:00";
  s = store->Commit(batch);
  EXPECT_EQ(s.code(), StatusCode::kRefusedValue) << s.ToString();
  EXPECT_EQ(One("SELECT COUNT(*) FROM operations"), "0");
  EXPECT_EQ(One("SELECT COUNT(*) FROM rollup_minute"), "0");
  EXPECT_EQ(One("SELECT COUNT(*) FROM stream_offsets"), "0");
  EXPECT_EQ(One("SELECT COUNT(*) FROM processor_stats"), "0");

  // The store goes on working after the failure.
  ASSERT_TRUE(store->Commit(SampleBatch()).ok());
  EXPECT_EQ(One("SELECT COUNT(*) FROM operations"), "3");
}

TEST_F(MysqlProcessedStoreTest, ALostConnectionIsRetryableAndTheNextCallReconnects) {
  auto store = OpenStore();
  ASSERT_TRUE(store->Commit(SampleBatch()).ok());
  // Kill the store's session from outside, as a server restart or a network cut would.
  auto sessions =
      Query("SELECT ID FROM information_schema.PROCESSLIST WHERE DB = ? AND ID <> CONNECTION_ID()",
            {Value(std::string_view(database_))});
  ASSERT_FALSE(sessions.empty());
  for (const Row& r : sessions) {
    ASSERT_TRUE(reader_->Exec("KILL CONNECTION " + std::to_string(std::stoll(*r[0])), "kill").ok());
  }
  ProcessedBatch batch;
  batch.stream = "ecommercetopic";
  batch.rows = {MakeRow("after", "2019-11-06 00:00:00", "view", "d", "p", "b", 1)};
  batch.next_offsets = {{0, 5}};
  Status s = store->Commit(batch);
  EXPECT_EQ(s.code(), StatusCode::kUnavailable) << s.ToString();
  EXPECT_TRUE(s.retryable());
  s = store->Commit(batch);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(One("SELECT COUNT(*) FROM operations"), "4");
  EXPECT_EQ(store->LoadOffsets("ecommercetopic", {0}).value(), (OffsetMap{{0, 5}}));
}

TEST_F(MysqlProcessedStoreTest, TheUriNamesTheRowsTable) {
  auto store = OpenStore("events_copy");
  ASSERT_TRUE(store->Commit(SampleBatch()).ok());
  EXPECT_EQ(One("SELECT COUNT(*) FROM events_copy"), "3");
  EXPECT_EQ(One("SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = ?"
                " AND TABLE_NAME = 'operations'",
                {Value(std::string_view(database_))}),
            "0");
}

TEST_F(MysqlProcessedStoreTest, AWrongPasswordIsNotRetryable) {
  setenv("SHOPSTREAM_MYSQL_PASSWORD", "not the password", 1);
  auto uri = ParseUri(UriText());
  auto store = OpenMysqlProcessedStore(uri.value());
  unsetenv("SHOPSTREAM_MYSQL_PASSWORD");
  ASSERT_TRUE(store.ok());
  Status s = store.value()->Init();
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << s.ToString();
  EXPECT_EQ(s.message().find("not the password"), std::string::npos);
}

TEST_F(MysqlProcessedStoreTest, TheOptionFileMayComeFromTheEnvironmentAndSupplyTheUser) {
  setenv("SHOPSTREAM_MYSQL_OPTION_FILE", OptionFile().c_str(), 1);
  auto uri = ParseUri("mysql://127.0.0.1:" + std::to_string(Port()) + "/" + database_);
  auto store = OpenMysqlProcessedStore(uri.value());
  unsetenv("SHOPSTREAM_MYSQL_OPTION_FILE");
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  Status s = store.value()->Init();
  ASSERT_TRUE(s.ok()) << s.ToString();
  ASSERT_TRUE(store.value()->Commit(SampleBatch()).ok());
  EXPECT_EQ(One("SELECT COUNT(*) FROM operations"), "3");  // the default table
}

// These need no server.

TEST(MysqlProcessedStoreOpenTest, AnUnreachableServerIsRetryable) {
  auto uri = ParseUri("mysql://admin@127.0.0.1:1/ecommerce.operations");
  ASSERT_TRUE(uri.ok());
  auto store = OpenMysqlProcessedStore(uri.value());
  ASSERT_TRUE(store.ok()) << store.status().ToString();  // connects lazily
  Status s = store.value()->Init();
  EXPECT_EQ(s.code(), StatusCode::kUnavailable) << s.ToString();
  EXPECT_TRUE(s.retryable());
  auto offsets = store.value()->LoadOffsets("s", {});
  EXPECT_TRUE(offsets.status().retryable());
}

TEST(MysqlProcessedStoreOpenTest, BadUrisAreRefused) {
  for (const char* text :
       {"mysql://admin@127.0.0.1:3306/", "mysql://admin@h:1/db.bad-table",
        "mysql://admin@h:1/db`x.ops", "mysql://a@h1:1,h2:2/db.t", "sqlite:///tmp/x.db"}) {
    auto uri = ParseUri(text);
    ASSERT_TRUE(uri.ok()) << text;
    auto store = OpenMysqlProcessedStore(uri.value());
    EXPECT_EQ(store.status().code(), StatusCode::kInvalidArgument) << text;
  }
}

TEST(MysqlProcessedStoreOpenTest, AMissingOptionFileIsNamed) {
  auto uri = ParseUri("mysql://admin@127.0.0.1:3306/ecommerce?option-file=/nonexistent/x.cnf");
  ASSERT_TRUE(uri.ok());
  auto store = OpenMysqlProcessedStore(uri.value());
  ASSERT_TRUE(store.ok());
  Status s = store.value()->Init();
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << s.ToString();
  EXPECT_NE(s.message().find("/nonexistent/x.cnf"), std::string::npos) << s.ToString();
}

}  // namespace
}  // namespace shopstream
