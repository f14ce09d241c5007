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

using PostgresSqlConnection = sql::ClientSqlConnection<postgres::Connection, postgres::Statement>;

std::string Describe(const postgres::PostgresTarget& t) {
  return ServerUri("postgres", t.options.user, t.options.host, t.options.port,
                   t.options.database + "." + t.options.schema);
}

class PostgresDatabase final : public sql::SqlDatabase {
 public:
  explicit PostgresDatabase(postgres::PostgresTarget target)
      : target_(std::move(target)), describe_(Describe(target_)) {}

  Result<std::unique_ptr<sql::SqlConnection>> Connect() override {
    auto conn = postgres::Connection::Open(target_.options);
    if (!conn.ok()) return conn.status();
    return AdaptPostgres(std::move(conn).value());
  }
  const sql::Dialect& dialect() const override { return dialect_; }
  const std::string& rows_table() const override { return target_.table; }
  const std::string& describe() const override { return describe_; }

  Result<std::vector<const CleanedEvent*>> InsertNewRows(
      sql::SqlConnection& sql_conn, const std::vector<const CleanedEvent*>& rows) override {
    // The connection came from Connect() above.
    postgres::Connection& conn = static_cast<PostgresSqlConnection&>(sql_conn).client();
    if (!statements_ready_) {
      statements_ = sql::NewRowStatements(target_.table, dialect_, kRowsPerInsert);
      copy_sql_ = "COPY " + dialect_.Quote(target_.table) +
                  "(id, event_time, event_type, department, product, brand, price, revenue)"
                  " FROM STDIN";
      statements_ready_ = true;
    }
    return sql::InsertNewRows(
        sql_conn, dialect_, rows, statements_, [&] { return Copy(conn, rows); },
        [&](const Status&) { return conn.last_sqlstate() == kUniqueViolation; });
  }

  void ForgetConnection() override { statements_.Reset(); }

 private:
  // Every row in one COPY fed from memory; a stored id fails it as a whole (kUndo).
  Result<sql::BulkOutcome> Copy(postgres::Connection& conn,
                                const std::vector<const CleanedEvent*>& rows) {
    copy_data_.clear();
    for (const CleanedEvent* row : rows) {
      if (!sql::AppendTsvRow(*row, &copy_data_)) return sql::BulkOutcome::kNotAvailable;
    }
    auto copied = conn.CopyIn(copy_sql_, copy_data_, "copying rows into " + target_.table);
    if (copied.ok()) return sql::BulkOutcome::kInserted;
    if (conn.last_sqlstate() == kUniqueViolation) return sql::BulkOutcome::kUndo;
    return copied.status();
  }

  postgres::PostgresTarget target_;
  const std::string describe_;
  PostgresDialect dialect_;
  bool statements_ready_ = false;
  sql::NewRowStatements statements_;
  std::string copy_sql_;
  std::string copy_data_;  // reused between batches
};

}  // namespace

std::unique_ptr<sql::SqlConnection> AdaptPostgres(std::unique_ptr<postgres::Connection> conn) {
  return std::make_unique<PostgresSqlConnection>(std::move(conn));
}

std::unique_ptr<sql::SqlDatabase> MakePostgresDatabase(postgres::PostgresTarget target) {
  return std::make_unique<PostgresDatabase>(std::move(target));
}

}  // namespace shopstream::postgres
