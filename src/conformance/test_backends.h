// The SQL databases the store contract suites run on: SQLite always, MariaDB and PostgreSQL
// when the servers of scripts/stack are up (skipped loudly otherwise, failed under CI=true).
// Each test gets a fresh, empty database of its own and a reader connection for checking what
// the store wrote; the database is dropped afterwards.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "sql/sql_connection.h"
#include "sql/sql_database.h"

namespace shopstream::conformance {

class TestDatabase {
 public:
  virtual ~TestDatabase() = default;
  // The store's URI, with `table` as the rows table.
  virtual std::string Uri(const std::string& table = "operations") const = 0;
  // An independent connection to the same database, for checks.
  virtual Result<std::unique_ptr<sql::SqlConnection>> Reader() = 0;
  virtual const sql::Dialect& dialect() const = 0;
  // Ends every other session on the database, as a server restart would (false: cannot).
  virtual bool KillOtherSessions() { return false; }
  // True when the server itself refuses a date that does not exist (SQLite keeps text).
  virtual bool judges_values() const { return true; }
  // A query on the reader counting this database's other sessions waiting for a lock (or, where
  // that is not readable, inside a statement); empty when writers cannot overlap (SQLite).
  virtual std::string LockWaitersQuery() const { return ""; }
};

struct Backend {
  std::string name;  // "sqlite", "mysql", "postgres"
  // A fresh database, or a reason to skip.
  std::function<Result<std::unique_ptr<TestDatabase>>()> make;
};

// Every backend, in order; the server ones fail to make when their server is not up.
const std::vector<Backend>& Backends();

// Skips the test (or fails it under CI=true) when `db` could not be made.
#define SHOPSTREAM_REQUIRE_DATABASE(db)                                                   \
  do {                                                                                    \
    if (!(db).ok()) {                                                                     \
      const char* ci = std::getenv("CI");                                                 \
      if (ci != nullptr && std::string(ci) == "true") FAIL() << (db).status().ToString(); \
      GTEST_SKIP() << "!!! " << (db).status().ToString();                                 \
    }                                                                                     \
  } while (0)

// A test run once per backend (INSTANTIATE_TEST_SUITE_P over Backends()), each with a fresh
// database of its own and a reader connection for checking what a store wrote.
class DatabaseTest : public ::testing::TestWithParam<size_t> {
 protected:
  void SetUp() override {
    auto made = Backends()[GetParam()].make();
    SHOPSTREAM_REQUIRE_DATABASE(made);
    db_ = std::move(made).value();
    auto reader = db_->Reader();
    ASSERT_TRUE(reader.ok()) << reader.status().ToString();
    reader_ = std::move(reader).value();
  }

  // The rows of `sql` on the reader; none (and a failed expectation) on an error.
  std::vector<SqlRow> Rows(const std::string& sql, std::vector<SqlValue> values = {}) {
    auto stmt = reader_->Prepare(sql, "test query");
    EXPECT_TRUE(stmt.ok()) << sql << ": " << stmt.status().ToString();
    if (!stmt.ok()) return {};
    auto rows = (*stmt)->Query(values);
    EXPECT_TRUE(rows.ok()) << sql << ": " << rows.status().ToString();
    return rows.ok() ? std::move(rows).value() : std::vector<SqlRow>{};
  }
  // The dialect's `i`th placeholder (0-based).
  std::string P(size_t i) { return db_->dialect().Placeholder(i); }

  std::unique_ptr<TestDatabase> db_;
  std::unique_ptr<sql::SqlConnection> reader_;
};

}  // namespace shopstream::conformance
