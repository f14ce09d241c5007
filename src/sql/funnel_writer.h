// Keeps the session funnel (event/session_funnel.h) in the batch's transaction: reads the state
// of the sessions the batch touches and the stream's clock, feeds the batch's new rows through
// it in order, adds the counts and the histogram, writes the state back (a row per session,
// funnel_states.h) and drops product states that can change no count any more (older than
// twice the horizon behind the clock).
// Nothing is kept in memory between batches, so a batch replayed after a crash (its rows are
// not new, so it feeds nothing) or a restart finds exactly the state of the last commit.
// Writers of one store queue on the clock's row (read FOR UPDATE where writers run at once),
// so two processors never interleave one session's steps. Not thread-safe.
#pragma once

#include <vector>

#include "common/status.h"
#include "event/event.h"
#include "sql/chunked_statement.h"
#include "sql/dialect.h"
#include "sql/owned_tables.h"
#include "sql/sql_connection.h"

namespace shopstream::sql {

class FunnelWriter {
 public:
  FunnelWriter(const Dialect& dialect, const OwnedTables& tables);

  // Feeds `rows` (the batch's new rows, in stream order) in the transaction open on `conn`.
  Status Write(SqlConnection& conn, const std::vector<const CleanedEvent*>& rows);
  void Reset();

 private:
  const Dialect& dialect_;
  ChunkedStatement ensure_clock_, read_clock_, store_clock_, read_sessions_, read_states_,
      store_sessions_, store_states_, add_counts_, add_delays_, expire_;
};

}  // namespace shopstream::sql
