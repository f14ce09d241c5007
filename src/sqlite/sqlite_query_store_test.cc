#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "sqlite/sqlite_stores.h"

namespace shopstream::sqlite {
namespace {

// What is SQLite's own in the dashboard's reader: the file it is given. Its queries are tested
// on every database by conformance/query_store_conformance_test.cc.
class SqliteQueryStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char dir_template[] = "/tmp/query_store_test_XXXXXX";
    dir_ = mkdtemp(dir_template);
  }
  void TearDown() override {
    std::string cmd = "rm -rf '" + dir_ + "'";
    ASSERT_EQ(std::system(cmd.c_str()), 0);
  }

  std::string dir_;
};

TEST_F(SqliteQueryStoreTest, MissingFileIsNotFound) {
  auto opened = OpenSqliteQueryStore(dir_ + "/nope.db");
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.status().code(), StatusCode::kNotFound);
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

}  // namespace
}  // namespace shopstream::sqlite
