// The bulk path of a client-server database (MySQL, PostgreSQL), once: every row of a batch
// goes in at once under a savepoint (LOAD DATA, COPY); in the rare batch that meets an id
// stored already (replayed after a crash between the rows and the offsets reaching the store,
// or written by another member of the group), that is undone, the stored ids are found with a
// locking read, and only the new rows are inserted with prepared statements. Another writer's
// uncommitted rows escape that read; an id it commits meanwhile fails our INSERT, which is then
// Unavailable (retryable): the caller rolls back and runs the whole batch again.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "common/sql_value.h"
#include "common/status.h"
#include "event/event.h"
#include "sql/chunked_statement.h"

namespace shopstream::sql {

enum class BulkOutcome {
  kInserted,      // every row went in
  kUndo,          // a stored id was met, or a value was changed: roll back to the savepoint
  kNotAvailable,  // the server refuses the bulk path: insert with prepared statements
};

// The statements of the slow path, for the rows table `table` (a plain name).
struct NewRowStatements {
  ChunkedStatement insert_rows;  // INSERT INTO table(...) VALUES (...), ...
  ChunkedStatement find_ids;     // SELECT id FROM table WHERE id IN (...) FOR UPDATE

  NewRowStatements() = default;
  NewRowStatements(const std::string& table, const Dialect& dialect, size_t rows_per_insert);
  void Reset() {
    insert_rows.Reset();
    find_ids.Reset();
  }
};

// Inserts `rows` (ids unique among them) in the transaction open on `conn` and returns those
// whose id was not stored before. `bulk` loads them all at once; `duplicate` says whether a
// failed prepared INSERT met a stored id.
Result<std::vector<const CleanedEvent*>> InsertNewRows(
    SqlConnection& conn, const Dialect& dialect, const std::vector<const CleanedEvent*>& rows,
    NewRowStatements& statements, const std::function<Result<BulkOutcome>()>& bulk,
    const std::function<bool(const Status&)>& duplicate);

// The values of `rows` for the rows table's columns, in order; they point into the rows.
std::vector<SqlValue> RowValues(const std::vector<const CleanedEvent*>& rows);

}  // namespace shopstream::sql
