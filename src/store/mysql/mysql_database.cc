#include "store/mysql/mysql_database.h"

#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

#include "common/log.h"
#include "store/mysql/mysql_dialect.h"
#include "store/mysql/mysql_values.h"
#include "store/sql/chunked_statement.h"

namespace shopstream::sql {
namespace {

// The name LOAD DATA LOCAL gives; the client feeds the batch from memory for it, no file.
constexpr std::string_view kLoadFileName = "batch";
// Measured on MariaDB 10.11 (bench/run stores): the server's CPU per row grows with the
// placeholders of a prepared INSERT; 64 rows (512 values) cost about half of 256 per row.
constexpr size_t kRowsPerInsert = 64;
constexpr size_t kIdsPerLookup = 256;

class MysqlSqlStatement final : public SqlStatement {
 public:
  explicit MysqlSqlStatement(mysql::Statement stmt) : stmt_(std::move(stmt)) {}
  Status Execute(std::span<const SqlValue> values) override { return stmt_.Execute(values); }
  Result<std::vector<SqlRow>> Query(std::span<const SqlValue> values) override {
    return stmt_.Query(values);
  }
  int64_t affected_rows() const override { return static_cast<int64_t>(stmt_.affected_rows()); }

 private:
  mysql::Statement stmt_;
};

class MysqlSqlConnection final : public SqlConnection {
 public:
  explicit MysqlSqlConnection(std::unique_ptr<mysql::Connection> conn) : conn_(std::move(conn)) {}

  Status Exec(const std::string& sql, const std::string& what) override {
    return conn_->Exec(sql, what);
  }
  Result<std::unique_ptr<SqlStatement>> Prepare(const std::string& sql,
                                                const std::string& what) override {
    auto stmt = conn_->Prepare(sql, what);
    if (!stmt.ok()) return stmt.status();
    return std::unique_ptr<SqlStatement>(new MysqlSqlStatement(std::move(stmt).value()));
  }
  bool healthy() const override { return conn_->healthy(); }

  mysql::Connection& client() { return *conn_; }

 private:
  std::unique_ptr<mysql::Connection> conn_;
};

std::string Describe(const mysql::MysqlTarget& t) {
  std::string where = "mysql://";
  if (!t.options.user.empty()) where += t.options.user + "@";
  where += t.options.host.empty() ? "localhost" : t.options.host;
  if (t.options.port > 0) where += ":" + std::to_string(t.options.port);
  return where + "/" + t.options.database;
}

class MysqlDatabase final : public SqlDatabase {
 public:
  MysqlDatabase(mysql::MysqlTarget target, bool for_writing)
      : target_(std::move(target)), describe_(Describe(target_)) {
    target_.options.local_infile = for_writing;
  }

  Result<std::unique_ptr<SqlConnection>> Connect() override {
    auto conn = mysql::Connection::Open(target_.options);
    if (!conn.ok()) return conn.status();
    if (!dialect_) dialect_.emplace((*conn)->server_version());
    return AdaptMysql(std::move(conn).value());
  }
  const Dialect& dialect() const override { return *dialect_; }
  const std::string& rows_table() const override { return target_.table; }
  const std::string& describe() const override { return describe_; }

  // The usual case: every id is new (a batch replayed after a crash was never committed, since
  // its offsets commit with its rows). All rows go in at once under a savepoint; if any id was
  // stored already, or the server changed a value, that is undone and only the new rows are
  // inserted with prepared statements, where strict mode reports a bad value by name.
  Result<std::vector<const CleanedEvent*>> InsertNewRows(
      SqlConnection& sql_conn, const std::vector<const CleanedEvent*>& rows) override {
    // The connection came from Connect() above.
    mysql::Connection& conn = static_cast<MysqlSqlConnection&>(sql_conn).client();
    PrepareStatements();
    if (Status s = conn.Exec("SAVEPOINT new_rows", "setting a savepoint"); !s.ok()) return s;
    auto bulk = BulkLoad(conn, rows);
    if (!bulk.ok()) return bulk.status();
    if (*bulk == BulkResult::kLoaded) return rows;
    std::vector<SqlValue> values = RowValues(rows);
    if (*bulk == BulkResult::kNotTried) {
      Status optimistic = insert_rows_.Execute(sql_conn, *dialect_, values);
      if (optimistic.ok()) return rows;
      if (!mysql::IsDuplicateKey(conn.last_error())) return optimistic;
    }
    if (Status s = conn.Exec("ROLLBACK TO SAVEPOINT new_rows", "undoing the rows"); !s.ok()) {
      return s;
    }
    auto fresh = NewRows(sql_conn, rows);
    if (!fresh.ok()) return fresh.status();
    values = RowValues(*fresh);
    if (Status s = insert_rows_.Execute(sql_conn, *dialect_, values); !s.ok()) return s;
    return fresh;
  }

  void ForgetConnection() override {
    insert_rows_.Reset();
    find_ids_.Reset();
  }

 private:
  enum class BulkResult { kLoaded, kUndone, kNotTried };

  void PrepareStatements() {
    if (statements_ready_) return;
    const std::string table = dialect_->Quote(target_.table);
    insert_rows_ =
        ChunkedStatement("INSERT INTO " + table +
                             "(id, event_time, event_type, department, product, brand,"
                             " price, revenue) VALUES ",
                         8, true, "", "inserting rows into " + target_.table, kRowsPerInsert);
    // A locking read: a concurrent writer of the same ids waits, or one of the two deadlocks
    // and retries, instead of both counting the same event.
    find_ids_ =
        ChunkedStatement("SELECT id FROM " + table + " WHERE id IN (", 1, false, ") FOR UPDATE",
                         "looking up existing ids in " + target_.table, kIdsPerLookup);
    load_rows_sql_ = "LOAD DATA LOCAL INFILE '" + std::string(kLoadFileName) + "' INTO TABLE " +
                     table +
                     " CHARACTER SET utf8mb4 FIELDS TERMINATED BY '\\t' ESCAPED BY '\\\\'"
                     " LINES TERMINATED BY '\\n'"
                     " (id, event_time, event_type, department, product, brand, price, revenue)";
    statements_ready_ = true;
  }

  // Every row in one LOAD DATA LOCAL fed from memory. kUndone when the server skipped or
  // changed something (a stored id, a value that needed converting).
  Result<BulkResult> BulkLoad(mysql::Connection& conn,
                              const std::vector<const CleanedEvent*>& rows) {
    if (!bulk_enabled_) return BulkResult::kNotTried;
    bulk_data_.clear();
    for (const CleanedEvent* row : rows) {
      if (!mysql::AppendLoadDataLine(*row, &bulk_data_)) return BulkResult::kNotTried;
    }
    unsigned warnings = 0;
    auto loaded = conn.LoadLocalData(load_rows_sql_, kLoadFileName, bulk_data_, &warnings,
                                     "loading rows into " + target_.table);
    if (!loaded.ok()) {
      if (!mysql::IsLocalInfileRefused(conn.last_error())) return loaded.status();
      LogWarn("the server refuses LOAD DATA LOCAL (" + loaded.status().message() +
              "); inserting with prepared statements instead");
      bulk_enabled_ = false;
      return BulkResult::kNotTried;
    }
    return loaded.value() == rows.size() && warnings == 0 ? BulkResult::kLoaded
                                                          : BulkResult::kUndone;
  }

  static std::vector<SqlValue> RowValues(const std::vector<const CleanedEvent*>& rows) {
    std::vector<SqlValue> values;
    values.reserve(rows.size() * 8);
    for (const CleanedEvent* row : rows) {
      values.insert(
          values.end(),
          {std::string_view(row->id), std::string_view(row->event_time),
           std::string_view(row->event_type), std::string_view(row->department),
           std::string_view(row->product), std::string_view(row->brand), row->price, row->revenue});
    }
    return values;
  }

  // The rows whose id is not stored yet.
  Result<std::vector<const CleanedEvent*>> NewRows(SqlConnection& conn,
                                                   const std::vector<const CleanedEvent*>& rows) {
    std::vector<SqlValue> ids;
    ids.reserve(rows.size());
    for (const CleanedEvent* row : rows) ids.push_back(std::string_view(row->id));
    auto existing_rows = find_ids_.Query(conn, *dialect_, ids);
    if (!existing_rows.ok()) return existing_rows.status();
    std::unordered_set<std::string> existing;
    for (const SqlRow& row : existing_rows.value()) existing.insert(row.at(0).value_or(""));
    std::vector<const CleanedEvent*> fresh;
    for (const CleanedEvent* row : rows) {
      if (existing.count(row->id) == 0) fresh.push_back(row);
    }
    return fresh;
  }

  mysql::MysqlTarget target_;
  const std::string describe_;
  std::optional<MysqlDialect> dialect_;
  bool statements_ready_ = false;
  ChunkedStatement insert_rows_, find_ids_;
  std::string load_rows_sql_;
  bool bulk_enabled_ = true;  // until the server refuses LOAD DATA LOCAL
  std::string bulk_data_;     // reused between batches
};

}  // namespace

std::unique_ptr<SqlConnection> AdaptMysql(std::unique_ptr<mysql::Connection> conn) {
  return std::make_unique<MysqlSqlConnection>(std::move(conn));
}

std::unique_ptr<SqlDatabase> MakeMysqlDatabase(mysql::MysqlTarget target, bool for_writing) {
  return std::make_unique<MysqlDatabase>(std::move(target), for_writing);
}

}  // namespace shopstream::sql
