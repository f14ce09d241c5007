#include "sql/store_status.h"

#include <cstdlib>

#include "sql/owned_tables.h"
#include "sql/schema.h"

namespace shopstream::sql {
namespace {

int64_t Number(const std::optional<std::string>& cell) {
  return cell ? std::strtoll(cell->c_str(), nullptr, 10) : 0;
}

Result<std::vector<SqlRow>> Select(SqlConnection& conn, const std::string& sql,
                                   const std::string& what) {
  auto statement = conn.Prepare(sql, what);
  if (!statement.ok()) return statement.status();
  return (*statement)->Query({});
}

}  // namespace

Result<StoreStatus> ReadStoreStatus(SqlDatabase& database) {
  auto conn = database.Connect();
  if (!conn.ok()) return conn.status();
  const Dialect& d = database.dialect();
  StoreStatus status;
  // The side tables this rows table owns (owned_tables.h).
  auto owned = OwnedTables::For(database.rows_table());
  if (!owned.ok()) return owned.status();
  const std::string offsets_table = owned->Name("stream_offsets");
  const std::string stats_table = owned->Name("processor_stats");
  const std::string dead_table = owned->Name("dead_letters");
  // A store that `process` never opened has none of these tables: it is empty, not broken.
  auto exists = (*conn)->Prepare(d.TableExistsQuery(), "looking up existing tables");
  if (!exists.ok()) return exists.status();
  const SqlValue offsets_name = offsets_table;
  auto found = (*exists)->Query({&offsets_name, 1});
  if (!found.ok()) return found.status();
  if (found->empty() || found->front().at(0).value_or("0") == "0") return status;

  const std::string partition = d.Quote("partition");
  auto offsets = Select(**conn,
                        "SELECT stream, " + partition + ", next_offset FROM " +
                            d.Quote(offsets_table) + " ORDER BY stream, " + partition,
                        "reading " + offsets_table);
  if (!offsets.ok()) return offsets.status();
  for (const SqlRow& r : *offsets) {
    status.offsets.push_back(
        {r.at(0).value_or(""), static_cast<int32_t>(Number(r.at(1))), Number(r.at(2))});
  }
  auto streams = Select(**conn,
                        "SELECT stream, batches, events, dead_letters, lag, updated_at FROM " +
                            d.Quote(stats_table) + " ORDER BY stream",
                        "reading " + stats_table);
  if (!streams.ok()) return streams.status();
  for (const SqlRow& r : *streams) {
    StreamCounters s{r.at(0).value_or(""), Number(r.at(1)), Number(r.at(2)),
                     Number(r.at(3)),      std::nullopt,    r.at(5).value_or("")};
    if (r.at(4)) s.lag = Number(r.at(4));
    status.streams.push_back(std::move(s));
  }
  auto dead = Select(**conn,
                     "SELECT stream, reason, COUNT(*) AS n FROM " + d.Quote(dead_table) +
                         " GROUP BY stream, reason ORDER BY n DESC, stream, reason",
                     "counting dead letters by reason");
  if (!dead.ok()) return dead.status();
  for (const SqlRow& r : *dead) {
    status.dead_letters.push_back({r.at(0).value_or(""), r.at(1).value_or(""), Number(r.at(2))});
  }
  auto rows = Select(**conn, "SELECT COUNT(*) FROM " + d.Quote(database.rows_table()),
                     "counting the rows of " + database.rows_table());
  if (!rows.ok()) return rows.status();
  if (!rows->empty()) status.rows = Number(rows->front().at(0));
  return status;
}

}  // namespace shopstream::sql
