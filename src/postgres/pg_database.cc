#include "postgres/pg_database.h"

#include <string>
#include <vector>

#include "common/uri.h"
#include "postgres/pg_dialect.h"
#include "sql/client_connection.h"
#include "sql/new_rows.h"
#include "sql/tsv.h"

namespace shopstream::postgres {
namespace {

constexpr std::string_view kUniqueViolation = "23505";
constexpr size_t kRowsPerInsert = 64;

std::string Describe(const postgres::PostgresTarget& t) {
  return ServerUri("postgres", t.options.user, t.options.host, t.options.port,
                   t.options.database + "." + t.options.schema);
}

// One connection and its bulk path: the slow path's statements and COPY's buffer. Members go
// before the base's connection, so the statements close first.
class PostgresSession final
    : public sql::ClientSqlConnection<postgres::Connection, postgres::Statement, sql::SqlSession> {
 public:
  PostgresSession(std::unique_ptr<postgres::Connection> conn, const std::string& table,
                  const PostgresDialect& dialect)
      : ClientSqlConnection(std::move(conn)),
        table_(table),
        dialect_(dialect),
        statements_(table, dialect, kRowsPerInsert),
        copy_sql_("COPY " + dialect.Quote(table) +
                  "(id, event_time, event_type, department, product, brand, price, revenue)"
                  " FROM STDIN") {}

  Result<std::vector<const CleanedEvent*>> InsertNewRows(
      const std::vector<const CleanedEvent*>& rows) override {
    return sql::InsertNewRows(
        *this, dialect_, rows, statements_, [&] { return Copy(rows); },
        [&](const Status&) { return client().last_sqlstate() == kUniqueViolation; });
  }

 private:
  // Every row in one COPY fed from memory; a stored id fails it as a whole (kUndo).
  Result<sql::BulkOutcome> Copy(const std::vector<const CleanedEvent*>& rows) {
    copy_data_.clear();
    for (const CleanedEvent* row : rows) {
      if (!sql::AppendTsvRow(*row, &copy_data_)) return sql::BulkOutcome::kNotAvailable;
    }
    auto copied = client().CopyIn(copy_sql_, copy_data_, "copying rows into " + table_);
    if (copied.ok()) return sql::BulkOutcome::kInserted;
    if (client().last_sqlstate() == kUniqueViolation) return sql::BulkOutcome::kUndo;
    return copied.status();
  }

  const std::string& table_;
  const PostgresDialect& dialect_;
  sql::NewRowStatements statements_;
  const std::string copy_sql_;
  std::string copy_data_;  // reused between batches
};

class PostgresDatabase final : public sql::SqlDatabase {
 public:
  explicit PostgresDatabase(postgres::PostgresTarget target)
      : target_(std::move(target)), describe_(Describe(target_)) {}

  Result<std::unique_ptr<sql::SqlSession>> Connect() override {
    auto conn = postgres::Connection::Open(target_.options);
    if (!conn.ok()) return conn.status();
    return std::unique_ptr<sql::SqlSession>(
        new PostgresSession(std::move(conn).value(), target_.table, dialect_));
  }
  const sql::Dialect& dialect() const override { return dialect_; }
  const std::string& rows_table() const override { return target_.table; }
  const std::string& describe() const override { return describe_; }

 private:
  postgres::PostgresTarget target_;
  const std::string describe_;
  const PostgresDialect dialect_;
};

}  // namespace

std::unique_ptr<sql::SqlConnection> AdaptPostgres(std::unique_ptr<postgres::Connection> conn) {
  return std::make_unique<sql::ClientSqlConnection<postgres::Connection, postgres::Statement>>(
      std::move(conn));
}

std::unique_ptr<sql::SqlDatabase> MakePostgresDatabase(postgres::PostgresTarget target) {
  return std::make_unique<PostgresDatabase>(std::move(target));
}

}  // namespace shopstream::postgres
