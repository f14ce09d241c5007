// PostgreSQL's spelling of the SQL store core's dialect (sql/dialect.h).
#pragma once

#include "sql/dialect.h"

namespace shopstream::postgres {

class PostgresDialect final : public sql::Dialect {
 public:
  std::string_view name() const override { return "postgres"; }
  std::string TypeName(sql::ColumnType type, int width) const override;
  std::string Quote(std::string_view identifier) const override;
  std::string Placeholder(size_t index) const override { return "$" + std::to_string(index + 1); }
  std::string OnConflictClause(std::string_view table, std::span<const std::string_view> key,
                               std::span<const sql::ColumnUpdate> updates) const override;
  std::string TableExistsQuery() const override {
    return "SELECT COUNT(*) FROM information_schema.tables"
           " WHERE table_schema = current_schema() AND table_name = $1";
  }
  std::string IndexExistsQuery() const override {
    return "SELECT COUNT(*) FROM pg_indexes"
           " WHERE schemaname = current_schema() AND tablename = $1 AND indexname = $2";
  }
  std::string ColumnsQuery() const override {
    return "SELECT table_name, column_name FROM information_schema.columns"
           " WHERE table_schema = current_schema()";
  }
  // CREATE TABLE IF NOT EXISTS is not safe against itself (a duplicate key in pg_type): one
  // transaction-scoped advisory lock per schema.
  std::string SchemaLock() const override {
    return "SELECT pg_advisory_xact_lock(hashtext('shopstream schema ' || current_schema()))";
  }
  std::string HourText(std::string_view column) const override {
    return "to_char(" + std::string(column) + ", 'YYYY-MM-DD HH24')";
  }
  std::string SecondText(std::string_view column) const override {
    return "to_char(" + std::string(column) + ", 'YYYY-MM-DD HH24:MI:SS')";
  }
  std::string DayBlockStart(std::string_view date, int days) const override {
    const std::string d = "CAST(" + std::string(date) + " AS DATE)", k = std::to_string(days);
    return "to_char(" + d + " - MOD(MOD(" + d + " - DATE '1970-01-01', " + k + ") + " + k + ", " +
           k + "), 'YYYY-MM-DD')";
  }
  // libpq returns bytea in its hex text form, "\x" and two digits a byte.
  Result<std::string> BlobBytes(std::string fetched) const override;
  size_t max_rows_per_statement() const override { return 256; }
  size_t max_payload_bytes() const override { return 64 * 1024; }
};

}  // namespace shopstream::postgres
