// MySQL's and MariaDB's spelling of the SQL store core's dialect (sql/dialect.h).
#pragma once

#include <string>

#include "sql/dialect.h"

namespace shopstream::mysql {

class MysqlDialect final : public sql::Dialect {
 public:
  std::string_view name() const override { return "mysql"; }
  std::string TypeName(sql::ColumnType type, int width) const override;
  // The collation, which the server's kind names, comes from the session (mysql_database.cc):
  // text compares byte for byte, without trailing-space padding, so ids and names are kept and
  // matched exactly as given.
  std::string TableOptions() const override { return " ENGINE=InnoDB DEFAULT CHARSET=utf8mb4"; }
  std::string Quote(std::string_view identifier) const override;
  // A CTE read twice is computed twice: the two rankings number one grouping in both orders
  // instead (QueryRankings).
  bool computes_cte_once() const override { return false; }
  std::string Placeholder(size_t) const override { return "?"; }
  std::string OnConflictClause(std::string_view table, std::span<const std::string_view> key,
                               std::span<const sql::ColumnUpdate> updates) const override;
  std::string BeginTransaction() const override { return "START TRANSACTION"; }
  std::string TableExistsQuery() const override {
    return "SELECT COUNT(*) FROM information_schema.tables"
           " WHERE table_schema = DATABASE() AND table_name = ?";
  }
  std::string IndexExistsQuery() const override {
    return "SELECT COUNT(*) FROM information_schema.statistics"
           " WHERE table_schema = DATABASE() AND table_name = ? AND index_name = ?";
  }
  // DDL commits on its own here: a named lock of the session, held across the statements.
  std::string SchemaLock() const override {
    return "SELECT GET_LOCK(CONCAT('shopstream schema ', DATABASE()), 600)";
  }
  std::string SchemaUnlock() const override {
    return "SELECT RELEASE_LOCK(CONCAT('shopstream schema ', DATABASE()))";
  }
  std::string ColumnsQuery() const override {
    return "SELECT table_name, column_name FROM information_schema.columns"
           " WHERE table_schema = DATABASE()";
  }
  // Measured on MariaDB 10.11 (bench/run stores): 256 rows of a rollup upsert per statement.
  std::string HourText(std::string_view column) const override {
    return "DATE_FORMAT(" + std::string(column) + ", '%Y-%m-%d %H')";
  }
  std::string Concat(std::string_view a, std::string_view b) const override {
    return "CONCAT(" + std::string(a) + ", " + std::string(b) + ")";
  }
  std::string SecondText(std::string_view column) const override {
    return "DATE_FORMAT(" + std::string(column) + ", '%Y-%m-%d %H:%i:%s')";
  }
  // TO_DAYS('1970-01-01') is 719528.
  std::string DayBlockStart(std::string_view date, int days) const override {
    const std::string d(date), k = std::to_string(days);
    return "DATE_FORMAT(FROM_DAYS(TO_DAYS(" + d + ") - MOD(MOD(TO_DAYS(" + d + ") - 719528, " + k +
           ") + " + k + ", " + k + ")), '%Y-%m-%d')";
  }
  size_t max_rows_per_statement() const override { return 256; }
  // A chunk of 256 dead letters stays well inside the server's default 16 MiB packet limit.
  size_t max_payload_bytes() const override { return 32 * 1024; }
};

}  // namespace shopstream::mysql
