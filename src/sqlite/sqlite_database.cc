#include "sqlite/sqlite_database.h"

#include <variant>

#include "sqlite/sqlite_dialect.h"

namespace shopstream::sqlite {
namespace {

class SqliteSqlStatement final : public sql::SqlStatement {
 public:
  SqliteSqlStatement(sqlite::Statement stmt, sqlite::Database* db, std::string what)
      : stmt_(std::move(stmt)), db_(db), what_(std::move(what)) {}

  Status Execute(std::span<const SqlValue> values) override {
    Bind(values);
    Status s = stmt_.Run();
    if (!s.ok()) stmt_.Reset();
    return Named(s);
  }

  Result<std::vector<SqlRow>> Query(std::span<const SqlValue> values) override {
    Bind(values);
    std::vector<SqlRow> rows;
    while (true) {
      auto row = stmt_.Step();
      if (!row.ok()) {
        stmt_.Reset();
        return Named(row.status());
      }
      if (!*row) break;
      SqlRow& out = rows.emplace_back();
      const int columns = stmt_.ColumnCount();
      out.reserve(static_cast<size_t>(columns));
      for (int c = 0; c < columns; ++c) {
        if (stmt_.ColumnIsNull(c)) {
          out.emplace_back(std::nullopt);
        } else {
          out.emplace_back(std::string(stmt_.ColumnText(c)));
        }
      }
    }
    stmt_.Reset();
    return rows;
  }

  int64_t affected_rows() const override { return db_->Changes(); }

 private:
  void Bind(std::span<const SqlValue> values) {
    stmt_.Reset();
    for (size_t i = 0; i < values.size(); ++i) {
      const int index = static_cast<int>(i) + 1;
      std::visit(
          [&](const auto& v) {
            using T = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<T, std::monostate>) {
              stmt_.BindNull(index);
            } else if constexpr (std::is_same_v<T, SqlBlob>) {
              stmt_.BindBlob(index, v.bytes);
            } else {
              stmt_.Bind(index, v);
            }
          },
          values[i]);
    }
  }

  Status Named(const Status& s) const {
    return s.ok() ? s : Status::FromCode(s.code(), what_ + ": " + s.message());
  }

  sqlite::Statement stmt_;
  sqlite::Database* db_;
  std::string what_;
};

// A connection over the SQLite library; with Base = SqlSession, the session's base.
template <typename Base>
class SqliteConnection : public Base {
 public:
  explicit SqliteConnection(std::unique_ptr<sqlite::Database> db) : db_(std::move(db)) {}

  Status Exec(const std::string& sql, const std::string& what) override {
    Status s = db_->Exec(sql);
    return s.ok() ? s : Status::FromCode(s.code(), what + ": " + s.message());
  }

  Result<std::unique_ptr<sql::SqlStatement>> Prepare(const std::string& sql,
                                                     const std::string& what) override {
    auto stmt = db_->Prepare(sql);
    if (!stmt.ok()) {
      return Status::FromCode(stmt.status().code(), what + ": " + stmt.status().message());
    }
    return std::unique_ptr<sql::SqlStatement>(
        new SqliteSqlStatement(std::move(stmt).value(), db_.get(), what));
  }

  bool healthy() const override { return true; }  // a file: nothing to lose

 private:
  std::unique_ptr<sqlite::Database> db_;
};

// One connection and its bulk path: row by row, in-process, through one prepared INSERT.
class SqliteSession final : public SqliteConnection<sql::SqlSession> {
 public:
  SqliteSession(std::unique_ptr<sqlite::Database> db, const std::string& table,
                const SqliteDialect& dialect)
      : SqliteConnection(std::move(db)),
        table_(table),
        insert_sql_("INSERT INTO " + dialect.Quote(table) +
                    "(id, event_time, event_type, department, product, brand, price, revenue)"
                    " VALUES(?,?,?,?,?,?,?,?) ON CONFLICT(id) DO NOTHING") {}

  // An insert that changes nothing met a stored id.
  Result<std::vector<const CleanedEvent*>> InsertNewRows(
      const std::vector<const CleanedEvent*>& rows) override {
    if (!insert_) {  // the rows table may not exist yet when the session opens
      auto stmt = Prepare(insert_sql_, "inserting rows into " + table_);
      if (!stmt.ok()) return stmt.status();
      insert_ = std::move(stmt).value();
    }
    std::vector<const CleanedEvent*> fresh;
    fresh.reserve(rows.size());
    for (const CleanedEvent* row : rows) {
      const SqlValue values[] = {std::string_view(row->id),
                                 std::string_view(row->event_time),
                                 std::string_view(row->event_type),
                                 std::string_view(row->department),
                                 std::string_view(row->product),
                                 std::string_view(row->brand),
                                 row->price,
                                 row->revenue};
      if (Status s = insert_->Execute(values); !s.ok()) return s;
      if (insert_->affected_rows() == 1) fresh.push_back(row);
    }
    return fresh;
  }

 private:
  const std::string& table_;
  const std::string insert_sql_;
  std::unique_ptr<sql::SqlStatement> insert_;  // goes before the base's connection
};

class SqliteDatabase final : public sql::SqlDatabase {
 public:
  SqliteDatabase(std::string path, std::string table, bool read_only)
      : path_(std::move(path)),
        describe_("sqlite://" + path_),
        read_only_(read_only),
        rows_table_(std::move(table)) {}

  Result<std::unique_ptr<sql::SqlSession>> Connect() override {
    auto db = sqlite::Database::Open(path_, read_only_ ? sqlite::Database::Mode::kReadOnly
                                                       : sqlite::Database::Mode::kReadWriteCreate);
    if (!db.ok()) return db.status();
    if (read_only_) {
      if (Status s = (*db)->Exec("PRAGMA query_only = 1"); !s.ok()) return s;
    }
    return std::unique_ptr<sql::SqlSession>(
        new SqliteSession(std::move(db).value(), rows_table_, dialect_));
  }
  const sql::Dialect& dialect() const override { return dialect_; }
  const std::string& rows_table() const override { return rows_table_; }
  const std::string& describe() const override { return describe_; }

 private:
  const std::string path_;
  const std::string describe_;
  const bool read_only_;
  const std::string rows_table_;
  const SqliteDialect dialect_;
};

}  // namespace

std::unique_ptr<sql::SqlConnection> AdaptSqlite(std::unique_ptr<sqlite::Database> db) {
  return std::make_unique<SqliteConnection<sql::SqlConnection>>(std::move(db));
}

std::unique_ptr<sql::SqlDatabase> MakeSqliteDatabase(const std::string& path,
                                                     const std::string& table, bool read_only) {
  return std::make_unique<SqliteDatabase>(path, table, read_only);
}

}  // namespace shopstream::sqlite
