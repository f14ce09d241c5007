#include "sql/new_rows.h"

#include <unordered_set>

namespace shopstream::sql {

NewRowStatements::NewRowStatements(const std::string& table, const Dialect& d,
                                   size_t rows_per_insert)
    : insert_rows("INSERT INTO " + d.Quote(table) +
                      "(id, event_time, event_type, department, product, brand, price,"
                      " revenue) VALUES ",
                  8, true, "", "inserting rows into " + table, rows_per_insert),
      // A locking read: a concurrent writer of the same ids waits, or one of the two deadlocks
      // and retries, instead of both counting the same event.
      find_ids("SELECT id FROM " + d.Quote(table) + " WHERE id IN (", 1, false, ") FOR UPDATE",
               "looking up existing ids in " + table, d.max_rows_per_statement()) {}

std::vector<SqlValue> RowValues(const std::vector<const CleanedEvent*>& rows) {
  std::vector<SqlValue> values;
  values.reserve(rows.size() * 8);
  for (const CleanedEvent* row : rows) {
    values.insert(values.end(), {std::string_view(row->id), std::string_view(row->event_time),
                                 std::string_view(row->event_type),
                                 std::string_view(row->department), std::string_view(row->product),
                                 std::string_view(row->brand), row->price, row->revenue});
  }
  return values;
}

Result<std::vector<const CleanedEvent*>> InsertNewRows(
    SqlConnection& conn, const Dialect& d, const std::vector<const CleanedEvent*>& rows,
    NewRowStatements& statements, const std::function<Result<BulkOutcome>()>& bulk,
    const std::function<bool(const Status&)>& duplicate) {
  if (Status s = conn.Exec("SAVEPOINT new_rows", "setting a savepoint"); !s.ok()) return s;
  auto outcome = bulk();
  if (!outcome.ok()) return outcome.status();
  if (*outcome == BulkOutcome::kInserted) return rows;
  if (*outcome == BulkOutcome::kNotAvailable) {
    Status optimistic = statements.insert_rows.Execute(conn, d, RowValues(rows));
    if (optimistic.ok()) return rows;
    if (!duplicate(optimistic)) return optimistic;
  }
  if (Status s = conn.Exec("ROLLBACK TO SAVEPOINT new_rows", "undoing the rows"); !s.ok()) {
    return s;
  }
  std::vector<SqlValue> ids;
  ids.reserve(rows.size());
  for (const CleanedEvent* row : rows) ids.push_back(std::string_view(row->id));
  auto stored = statements.find_ids.Query(conn, d, ids);
  if (!stored.ok()) return stored.status();
  std::unordered_set<std::string> existing;
  for (const SqlRow& row : *stored) existing.insert(row.at(0).value_or(""));
  std::vector<const CleanedEvent*> fresh;
  for (const CleanedEvent* row : rows) {
    if (existing.count(row->id) == 0) fresh.push_back(row);
  }
  Status s = statements.insert_rows.Execute(conn, d, RowValues(fresh));
  // The locking read does not see rows another writer has inserted but not committed (at READ
  // COMMITTED; a rebalance overlap gives two writers of the same ids). Our INSERT then waited
  // for it and met its committed id: the whole transaction is rolled back and run again, and
  // the rerun finds that id stored, so that it still counts once.
  if (!s.ok() && duplicate(s)) {
    return Status::Unavailable(s.message() +
                               " (another writer stored the same id meanwhile; running the "
                               "batch again)");
  }
  if (!s.ok()) return s;
  return fresh;
}

}  // namespace shopstream::sql
