#include "conformance/test_backends.h"

#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <optional>

#include "mysql/mysql_client.h"
#include "mysql/mysql_database.h"
#include "mysql/mysql_dialect.h"
#include "mysql/stack_endpoint.h"
#include "postgres/pg_client.h"
#include "postgres/pg_database.h"
#include "postgres/pg_dialect.h"
#include "sqlite/sqlite_client.h"
#include "sqlite/sqlite_database.h"
#include "sqlite/sqlite_dialect.h"

namespace shopstream::conformance {
namespace {

std::string Env(const char* name, const std::string& fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? v : fallback;
}

// A name no other test run uses at the same time.
std::string UniqueName(const std::string& prefix) {
  static std::atomic<int> counter{0};
  return prefix + std::to_string(getpid()) + "_" + std::to_string(counter++);
}

class SqliteTestDatabase final : public TestDatabase {
 public:
  SqliteTestDatabase() {
    dir_ = std::filesystem::temp_directory_path() / UniqueName("store_contract_");
    std::filesystem::create_directories(dir_);
  }
  ~SqliteTestDatabase() override {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  std::string Uri(const std::string& table) const override {
    return "sqlite://" + (dir_ / "store.db").string() +
           (table == "operations" ? "" : "?table=" + table);
  }
  Result<std::unique_ptr<sql::SqlConnection>> Reader() override {
    auto db = sqlite::Database::Open((dir_ / "store.db").string(),
                                     sqlite::Database::Mode::kReadWriteCreate);
    if (!db.ok()) return db.status();
    return sqlite::AdaptSqlite(std::move(db).value());
  }
  const sql::Dialect& dialect() const override { return dialect_; }
  bool judges_values() const override { return false; }

 private:
  std::filesystem::path dir_;
  sqlite::SqliteDialect dialect_;
};

class MysqlTestDatabase final : public TestDatabase {
 public:
  static Result<std::unique_ptr<TestDatabase>> Make() {
    std::unique_ptr<MysqlTestDatabase> db(new MysqlTestDatabase);
    auto admin = mysql::Connection::Open(db->Options(""));
    if (!admin.ok()) {
      return Status::Unavailable("no MariaDB to test against (" + admin.status().message() +
                                 "); run `scripts/stack up mariadb` first");
    }
    db->name_ = UniqueName("ecommerce_test_contract_");
    if (Status s = (*admin)->Exec("CREATE DATABASE " + db->name_, "creating"); !s.ok()) return s;
    return std::unique_ptr<TestDatabase>(std::move(db));
  }
  ~MysqlTestDatabase() override {
    if (name_.empty()) return;
    if (auto admin = mysql::Connection::Open(Options("")); admin.ok()) {
      (*admin)->Exec("DROP DATABASE IF EXISTS " + name_, "dropping");
    }
  }
  std::string Uri(const std::string& table) const override {
    return "mysql://admin@127.0.0.1:" + std::to_string(Port()) + "/" + name_ + "." + table +
           "?option-file=" + OptionFile();
  }
  Result<std::unique_ptr<sql::SqlConnection>> Reader() override {
    auto conn = mysql::Connection::Open(Options(name_));
    if (!conn.ok()) return conn.status();
    return mysql::AdaptMysql(std::move(conn).value());
  }
  const sql::Dialect& dialect() const override { return dialect_; }
  std::string LockWaitersQuery() const override {
    // admin has no PROCESS privilege to read lock waits: another session still inside a
    // statement is, in these tests, one waiting for a lock.
    return "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE DB = DATABASE() AND "
           "COMMAND = 'Query' AND ID <> CONNECTION_ID()";
  }
  bool KillOtherSessions() override {
    auto admin = mysql::Connection::Open(Options(""));
    if (!admin.ok()) return false;
    auto ids = (*admin)->Prepare(
        "SELECT ID FROM information_schema.PROCESSLIST WHERE DB = ? AND ID <> CONNECTION_ID()",
        "listing sessions");
    if (!ids.ok()) return false;
    const SqlValue db = std::string_view(name_);
    auto rows = ids->Query({&db, 1});
    if (!rows.ok() || rows->empty()) return false;
    for (const SqlRow& row : *rows) {
      (*admin)->Exec("KILL CONNECTION " + row.at(0).value_or("0"), "killing a session");
    }
    return true;
  }

 private:
  static int Port() { return mysql::StackPort(); }
  static std::string OptionFile() { return mysql::StackOptionFile(SHOPSTREAM_SOURCE_DIR); }
  mysql::ConnectOptions Options(const std::string& database) const {
    return mysql::StackAdminOptions(SHOPSTREAM_SOURCE_DIR, database);
  }

  std::string name_;
  mysql::MysqlDialect dialect_;
};

class PostgresTestDatabase final : public TestDatabase {
 public:
  static Result<std::unique_ptr<TestDatabase>> Make() {
    // The stack's password file, unless the caller has one.
    setenv("PGPASSFILE",
           Env("PGPASSFILE", std::string(SHOPSTREAM_SOURCE_DIR) + "/.cache/run/pgpass").c_str(), 1);
    std::unique_ptr<PostgresTestDatabase> db(new PostgresTestDatabase);
    auto admin = postgres::Connection::Open(db->Options("ecommerce"));
    if (!admin.ok()) {
      return Status::Unavailable("no PostgreSQL to test against (" + admin.status().message() +
                                 "); run `scripts/stack up postgres` first");
    }
    db->name_ = UniqueName("ecommerce_test_contract_");
    if (Status s = (*admin)->Exec("CREATE DATABASE " + db->name_, "creating"); !s.ok()) return s;
    return std::unique_ptr<TestDatabase>(std::move(db));
  }
  ~PostgresTestDatabase() override {
    if (name_.empty()) return;
    if (auto admin = postgres::Connection::Open(Options("ecommerce")); admin.ok()) {
      (*admin)->Exec("DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)", "dropping");
    }
  }
  std::string Uri(const std::string& table) const override {
    return "postgres://shopstream@127.0.0.1:" + std::to_string(Port()) + "/" + name_ + ".public." +
           table;
  }
  Result<std::unique_ptr<sql::SqlConnection>> Reader() override {
    auto conn = postgres::Connection::Open(Options(name_));
    if (!conn.ok()) return conn.status();
    return postgres::AdaptPostgres(std::move(conn).value());
  }
  const sql::Dialect& dialect() const override { return dialect_; }
  std::string LockWaitersQuery() const override {
    return "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() AND "
           "wait_event_type = 'Lock'";
  }
  bool KillOtherSessions() override {
    auto admin = postgres::Connection::Open(Options("ecommerce"));
    if (!admin.ok()) return false;
    auto kill = (*admin)->Prepare(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1",
        "ending sessions");
    if (!kill.ok()) return false;
    const SqlValue db = std::string_view(name_);
    auto rows = kill->Query({&db, 1});
    return rows.ok() && !rows->empty();
  }

 private:
  static int Port() { return std::stoi(Env("STACK_PG_PORT", "5432")); }
  postgres::ConnectOptions Options(const std::string& database) const {
    postgres::ConnectOptions o;
    o.host = "127.0.0.1";
    o.port = Port();
    o.user = "shopstream";
    o.database = database;
    o.schema = "public";
    return o;
  }

  std::string name_;
  postgres::PostgresDialect dialect_;
};

}  // namespace

const std::vector<Backend>& Backends() {
  static const std::vector<Backend> backends = {
      {"sqlite",
       [] {
         return Result<std::unique_ptr<TestDatabase>>(
             std::unique_ptr<TestDatabase>(new SqliteTestDatabase));
       }},
      {"mysql", [] { return MysqlTestDatabase::Make(); }},
      {"postgres", [] { return PostgresTestDatabase::Make(); }},
  };
  return backends;
}

}  // namespace shopstream::conformance
