// What is MySQL's own in the processed store, against a real MariaDB (scripts/stack up
// mariadb): the seed's column types and the exact collation, and how the URI and the option
// file reach the server. The store's contract is tested once for every database in
// src/conformance. Each run works in a throwaway database ecommerce_test_<pid>_<time> that it
// drops at the end. Without a server the tests are skipped with a loud message (and fail under
// CI=true).
//
// Server: 127.0.0.1:$STACK_MYSQL_PORT (3306), user admin, credentials from the option file
// $SHOPSTREAM_MYSQL_OPTION_FILE or .cache/run/mysql.cnf of the source tree.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <ctime>
#include <iostream>

#include "mysql/mysql_client.h"
#include "mysql/mysql_database.h"
#include "mysql/mysql_failover.h"
#include "mysql/mysql_stores.h"
#include "mysql/stack_endpoint.h"

namespace shopstream::mysql {
namespace {

using mysql::Connection;
using mysql::Row;
using mysql::Value;

std::string Env(const char* name, const std::string& fallback) { return StackEnv(name, fallback); }
std::string OptionFile() { return StackOptionFile(SHOPSTREAM_SOURCE_DIR); }
int Port() { return StackPort(); }
ConnectOptions AdminOptions(const std::string& database) {
  return StackAdminOptions(SHOPSTREAM_SOURCE_DIR, database);
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

  std::unique_ptr<store::ProcessedStore> OpenStore(const std::string& table = "operations") {
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
  EXPECT_EQ(names, (std::vector<std::string>{"alerts",
                                             "dead_letters",
                                             "funnel_clock",
                                             "funnel_delay_hour",
                                             "funnel_hour",
                                             "funnel_sessions",
                                             "funnel_states",
                                             "operations",
                                             "people_all",
                                             "people_day",
                                             "people_hour",
                                             "people_minute",
                                             "people_offsets",
                                             "processor_stats",
                                             "rollup_10s",
                                             "rollup_block_brand_wide",
                                             "rollup_brand",
                                             "rollup_brand_product",
                                             "rollup_day",
                                             "rollup_days_brand_wide",
                                             "rollup_hour",
                                             "rollup_hour_brand",
                                             "rollup_hour_brand_product",
                                             "rollup_hour_department_brand",
                                             "rollup_hour_product",
                                             "rollup_minute",
                                             "rollup_product",
                                             "stream_ids",
                                             "stream_offsets"}));
  // Init again on existing tables changes nothing.
  EXPECT_TRUE(store->Init().ok());
  // The funnel's expiry deletes by last_time through an index of its own, made once.
  auto indexes = Query(
      "SELECT INDEX_NAME, COLUMN_NAME FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = ?"
      " AND TABLE_NAME = 'funnel_states' AND INDEX_NAME <> 'PRIMARY'",
      {Value(std::string_view(database_))});
  ASSERT_EQ(indexes.size(), 1u);
  EXPECT_EQ(*indexes[0][0] + " " + *indexes[0][1], "funnel_states_last_time last_time");
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
  store::ProcessedBatch batch;
  batch.stream = "s";
  batch.rows.resize(1);
  batch.rows[0] = {
      "a1", "2019-11-01 00:00:05", "view", "electronics", "smartphone", "apple", 489.07, 0};
  ASSERT_TRUE(store.value()->Commit(batch).ok());
  EXPECT_EQ(One("SELECT COUNT(*) FROM operations"), "1");  // the default table
}

// Which node of several a connection lands on: a dead first node is passed over and named
// by `used`; readers starting from `next` spread over the live nodes (here the one server
// listed twice).
TEST_F(MysqlProcessedStoreTest, ConnectionsToSeveralNodesSayWhichNodeTheyUse) {
  MysqlTarget target;
  target.options = AdminOptions(database_);
  target.hosts = {{"127.0.0.1", 1}, {"127.0.0.1", Port()}, {"127.0.0.1", Port()}};
  std::atomic<size_t> next{0};
  size_t used = 99;
  auto first = OpenAnyNode(target, next, &used);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(used, 1u);  // the dead node 0 passed over
  auto second = OpenAnyNode(target, next, &used);
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_EQ(used, 2u);  // spread: after the node the last connection used
  next.store(0);        // what a writer does before every connection
  auto third = OpenAnyNode(target, next, &used);
  ASSERT_TRUE(third.ok()) << third.status().ToString();
  EXPECT_EQ(used, 1u);
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
  for (const char* text : {"mysql://admin@127.0.0.1:3306/", "mysql://admin@h:1/db.bad-table",
                           "mysql://admin@h:1/db`x.ops", "mysql://a@h1:1,,h2:2/db.t",
                           "mysql://a@h1:1,h2:x/db.t", "sqlite:///tmp/x.db"}) {
    auto uri = ParseUri(text);
    ASSERT_TRUE(uri.ok()) << text;
    auto store = OpenMysqlProcessedStore(uri.value());
    EXPECT_EQ(store.status().code(), StatusCode::kInvalidArgument) << text;
  }
}

// A typo in an option would otherwise go unnoticed (and the password come from elsewhere).
TEST(MysqlProcessedStoreOpenTest, UnknownOptionsAreRefusedByName) {
  auto uri = ParseUri("mysql://admin@127.0.0.1:3306/ecommerce?option_file=/tmp/x.cnf");
  ASSERT_TRUE(uri.ok());
  auto store = OpenMysqlProcessedStore(uri.value());
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(store.status().message().find("'option_file'"), std::string::npos)
      << store.status().ToString();
  EXPECT_NE(store.status().message().find("known: option-file"), std::string::npos)
      << store.status().ToString();
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

// A statement that outlasts the client's read timeout (a rollup filled from a large store when
// a newer version opens it): Exec gives up on it, ExecLong waits for it on a connection of its
// own. The first fill of a 10M-event store was cut short by the 60 s timeout before.
TEST_F(MysqlProcessedStoreTest, ALongStatementOutlastsTheReadTimeout) {
  MysqlTarget target;
  target.options = AdminOptions(database_);
  target.options.io_timeout_seconds = 1;
  target.table = "operations";
  auto db = MakeMysqlDatabase(target, /*for_writing=*/true);
  auto impatient = db->Connect();
  ASSERT_TRUE(impatient.ok()) << impatient.status().ToString();
  EXPECT_FALSE((*impatient)->Exec("DO SLEEP(3)", "sleeping").ok());
  auto session = db->Connect();
  ASSERT_TRUE(session.ok()) << session.status().ToString();
  Status s = (*session)->ExecLong("DO SLEEP(3)", "sleeping");
  EXPECT_TRUE(s.ok()) << s.ToString();
}

}  // namespace
}  // namespace shopstream::mysql
