// A multi-row upsert (INSERT ... ON CONFLICT) that sends a large batch of rows through the
// database's bulk path: loaded into a temporary stage (LOAD DATA LOCAL, COPY FROM STDIN) and
// merged by one INSERT ... SELECT with the same conflict clause. Rows travel as data, apart from
// the SQL, like bound values. A few rows, a database without a bulk path (SQLite), or a value the
// bulk text cannot carry exactly go through prepared multi-row statements instead.
// Not thread-safe: one per connection's statements.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include "common/status.h"
#include "sql/chunked_statement.h"
#include "sql/dialect.h"
#include "sql/schema.h"
#include "sql/sql_session.h"

namespace shopstream::sql {

class StagedUpsert {
 public:
  StagedUpsert() = default;
  // Upserts rows of `table` (under its owned name; every column, in order), each column of
  // `updates` as it says on a key that exists; `stage` names the temporary table (unique among
  // the session's stages). `what` names the statement in error messages.
  StagedUpsert(const Table& table, std::span<const ColumnUpdate> updates, std::string_view stage,
               const Dialect& dialect, std::string what);

  // Makes the stage on a new connection, outside any transaction (a rolled-back transaction
  // would drop it with PostgreSQL). A database that cannot make it keeps the bound path.
  Status PrepareStage(SqlSession& conn);
  // Runs over all rows in the open transaction; `values` holds every column of each row.
  Status Execute(SqlSession& conn, std::span<const SqlValue> values);
  // Forgets the prepared statements and the stage (before their connection goes away).
  void Reset();

 private:
  const Dialect* dialect_ = nullptr;
  size_t columns_ = 1;
  ChunkedStatement bound_;
  std::string what_, quoted_stage_, create_stage_sql_, column_list_, merge_sql_, clear_sql_;
  bool staged_ = false;  // the stage exists on this connection
  std::unique_ptr<SqlStatement> merge_, clear_;
  std::string tsv_;  // reused between batches
};

}  // namespace shopstream::sql
