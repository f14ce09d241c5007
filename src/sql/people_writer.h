// Writes people sketches (event/people.h) into the people tables (schema.h), in the
// transaction open on a connection: the rows written are read (where other writers may run,
// made first where missing and read with FOR UPDATE, so that they are locked), merged with the
// sketches in hand and written back when they changed. A union is idempotent, so sketches merged
// again (ids replayed after a crash, people that another processor counted first) leave the
// stored sketches as they were, and nothing is written for them. Two processors that touch the
// same rows queue on the lock. Not thread-safe: one writer per connection.
#pragma once

#include <cstddef>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "event/people.h"
#include "sql/chunked_statement.h"
#include "sql/dialect.h"
#include "sql/owned_tables.h"
#include "sql/schema.h"
#include "sql/sql_connection.h"

namespace shopstream::sql {

class PeopleWriter {
 public:
  // The people tables of `tables`, which outlives the writer.
  PeopleWriter(const Dialect& dialect, const OwnedTables& tables);

  // Merges every level of `levels` into its table.
  Status Write(SqlConnection& conn, const PeopleSketchLevels& levels);
  // Merges the rows of one level (0 minute .. 3 all) into its table.
  Status WriteLevel(SqlConnection& conn, size_t level, const PeopleSketchRows& rows);
  // The same for the rows [first, last) of a level: a write-back spread over several commits.
  Status WriteLevel(SqlConnection& conn, size_t level, PeopleSketchRows::const_iterator first,
                    PeopleSketchRows::const_iterator last);
  // Rows merged per round trip (what a write-back in pieces advances by at least).
  static size_t RowsPerRound();
  // Forgets the prepared statements (before their connection goes away).
  void Reset();

 private:
  struct TableStatements {
    Table table;  // under its owned name
    size_t key_columns = 0;
    ChunkedStatement ensure;  // INSERT keys ... ON CONFLICT DO NOTHING (concurrent writers)
    ChunkedStatement store;   // INSERT rows ... ON CONFLICT replace the sketches
    std::string lookup_head, lookup_item, lookup_tail;
    std::map<size_t, std::unique_ptr<SqlStatement>> lookups;  // by keys per statement
  };

  // Merges `rows` into the table, a bounded number at a time (their stored sketches are read,
  // parsed and serialized again: a round's worth is in memory at once).
  using RowRange = std::pair<PeopleSketchRows::const_iterator, PeopleSketchRows::const_iterator>;
  Status WriteTable(SqlConnection& conn, TableStatements& t, RowRange rows);
  Status WriteRound(SqlConnection& conn, TableStatements& t, RowRange rows);
  // The stored sketches of those of `keys` that exist (people_all's keys with bucket '').
  Result<std::map<PeopleKey, PeopleSketches>> Read(SqlConnection& conn, TableStatements& t,
                                                   const std::vector<SqlValue>& keys);

  const Dialect& dialect_;
  std::vector<TableStatements> tables_;  // one per PeopleTables() entry
};

}  // namespace shopstream::sql
