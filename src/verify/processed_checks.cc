#include "verify/processed_checks.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "event/hour_blocks.h"
#include "sql/owned_tables.h"
#include "sql/schema.h"

namespace shopstream::verify {
namespace {

int64_t AsInt(const std::optional<std::string>& v) { return v ? std::stoll(*v) : 0; }
double AsDouble(const std::optional<std::string>& v) { return v ? std::stod(*v) : 0; }

// Revenue is summed from 32-bit FLOAT rows on one side and from doubles on the other.
bool RevenueClose(double a, double b) { return std::fabs(a - b) <= 0.01 + 1e-6 * std::fabs(b); }

// The name of the side table `base` that the store's rows table owns (owned_tables.h).
std::string Owned(const sql::SqlDatabase& db, std::string_view base) {
  auto owned = sql::OwnedTables::For(db.rows_table());
  return owned.ok() ? owned->Name(base) : std::string(base);
}

}  // namespace

Result<std::unique_ptr<ProcessedChecks>> ProcessedChecks::Open(
    std::shared_ptr<sql::SqlDatabase> db) {
  auto conn = db->Connect();
  if (!conn.ok()) return conn.status();
  auto exists = (*conn)->Prepare(db->dialect().TableExistsQuery(), "looking for the tables");
  if (!exists.ok()) return exists.status();
  if (auto owned = sql::OwnedTables::For(db->rows_table()); !owned.ok()) return owned.status();
  std::vector<std::string> tables = {db->rows_table(), Owned(*db, "dead_letters"),
                                     Owned(*db, "stream_offsets")};
  for (const sql::Rollup& r : sql::Rollups()) tables.push_back(Owned(*db, r.table.name));
  for (const std::string& table : tables) {
    const SqlValue name = std::string_view(table);
    auto rows = (*exists)->Query({&name, 1});
    if (!rows.ok()) return rows.status();
    if (rows->empty() || !(*rows)[0][0] || AsInt((*rows)[0][0]) == 0) {
      return Status::InvalidArgument("processed store " + db->describe() + " has no table " +
                                     table + " (not a shopstream processed store)");
    }
  }
  exists->reset();
  return std::unique_ptr<ProcessedChecks>(
      new ProcessedChecks(std::move(db), std::move(conn).value()));
}

Result<std::map<int64_t, ProcessedChecks::DeadLetterSeen>> ProcessedChecks::DeadLetters(
    const std::string& stream, int32_t partition, int64_t first, int64_t last) {
  const sql::Dialect& d = db_->dialect();
  if (!dead_letters_) {
    auto query = [&](const std::string& state) {
      return conn_->Prepare("SELECT " + d.Quote("offset") + ", " + d.Quote("reason") + ", " +
                                state + " FROM " + d.Quote(Owned(*db_, "dead_letters")) +
                                " WHERE " + d.Quote("stream") + " = " + d.Placeholder(0) + " AND " +
                                d.Quote("partition") + " = " + d.Placeholder(1) + " AND " +
                                d.Quote("offset") + " >= " + d.Placeholder(2) + " AND " +
                                d.Quote("offset") + " <= " + d.Placeholder(3),
                            "reading dead letters");
    };
    auto prepared = query(d.Quote("state"));
    // A store made before replays (verify reads it as it is): none of its letters is replayed.
    if (!prepared.ok()) prepared = query("'open'");
    if (!prepared.ok()) return prepared.status();
    dead_letters_ = std::move(prepared).value();
  }
  const SqlValue values[] = {std::string_view(stream), int64_t{partition}, first, last};
  auto rows = dead_letters_->Query(values);
  if (!rows.ok()) return rows.status();
  std::map<int64_t, DeadLetterSeen> out;
  for (auto& row : *rows) {
    out[AsInt(row[0])] = {row[1].value_or(""), row[2].value_or("") == "replayed"};
  }
  return out;
}

Result<SqlRow> ProcessedChecks::QueryOne(const std::string& sql, const std::string& what) {
  auto statement = conn_->Prepare(sql, what);
  if (!statement.ok()) return statement.status();
  auto rows = (*statement)->Query({});
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return Status::Internal(what + ": no row");
  return std::move((*rows)[0]);
}

Result<RollupCheck> ProcessedChecks::CheckRollups() {
  const sql::Dialect& d = db_->dialect();
  const std::string rows_table = d.Quote(db_->rows_table());
  RollupCheck check;
  const std::string type = d.Quote("event_type");
  auto totals = QueryOne("SELECT COUNT(*), SUM(" + d.Quote("revenue") + "), SUM(CASE WHEN " + type +
                             " = 'view' THEN 1 ELSE 0 END), SUM(CASE WHEN " + type +
                             " = 'cart' THEN 1 ELSE 0 END), SUM(CASE WHEN " + type +
                             " = 'purchase' THEN 1 ELSE 0 END) FROM " + rows_table,
                         "counting the rows");
  if (!totals.ok()) return totals.status();
  check.rows = AsInt((*totals)[0]);
  const double revenue = AsDouble((*totals)[1]);
  // Every rollup counts every row once: its events add up to the rows, its revenue to theirs,
  // a wide one's views, carts and purchases to the rows of each type. A table of blocks
  // (rollup_block_brand_wide, rollup_days_brand_wide) counts every row once per block length.
  for (const sql::Rollup& r : sql::Rollups()) {
    const std::string table = Owned(*db_, r.table.name);
    const auto names = r.table.column_names();
    const bool by_block = std::find(names.begin(), names.end(), "hours") != names.end();
    const bool wide = std::find(names.begin(), names.end(), "views") != names.end();
    std::string sums_sql = "SELECT SUM(" + d.Quote("events") + "), SUM(" + d.Quote("revenue") + ")";
    if (wide) sums_sql += ", SUM(views), SUM(carts), SUM(purchases)";
    sums_sql += " FROM " + d.Quote(table) + (by_block ? " GROUP BY " + d.Quote("hours") : "");
    auto statement = conn_->Prepare(sums_sql, "summing " + table);
    if (!statement.ok()) return statement.status();
    auto sums = (*statement)->Query({});
    if (!sums.ok()) return sums.status();
    ++check.tables_checked;
    const size_t lengths = r.table.name == HourBlockTable(kDayBlockSpans[0])
                               ? kDayBlockSpans.size()
                               : kHourBlockSpans.size();
    const size_t levels = by_block && check.rows > 0 ? lengths : sums->size();
    bool off = sums->size() != levels;
    for (const SqlRow& sum : *sums) {
      off = off || AsInt(sum[0]) != check.rows || !RevenueClose(AsDouble(sum[1]), revenue);
      for (size_t c = 2; wide && c < 5; ++c) off = off || AsInt(sum[c]) != AsInt((*totals)[c]);
    }
    if (off) ++check.tables_off;
  }
  // And group by group for the hourly rollup, from the rows themselves.
  const std::string hour = d.HourText(d.Quote("event_time"));
  const std::string recount = "(SELECT " + hour + " AS b, " + d.Quote("event_type") + " AS t, " +
                              d.Quote("department") + " AS dep, COUNT(*) AS n FROM " + rows_table +
                              " GROUP BY " + hour + ", " + d.Quote("event_type") + ", " +
                              d.Quote("department") + ")";
  const std::string on = " ON r." + d.Quote("bucket") + " = c.b AND r." + d.Quote("event_type") +
                         " = c.t AND r." + d.Quote("department") + " = c.dep";
  const std::string events = "r." + d.Quote("events");
  const std::string rollup_hour = d.Quote(Owned(*db_, "rollup_hour"));
  auto from_rollup = QueryOne(
      "SELECT COUNT(*), SUM(CASE WHEN c.n IS NULL OR c.n <> " + events +
          " THEN 1 ELSE 0 END), SUM(CASE WHEN " + events + " > COALESCE(c.n, 0) THEN " + events +
          " - COALESCE(c.n, 0) ELSE 0 END), SUM(CASE WHEN " + events + " < c.n THEN c.n - " +
          events + " ELSE 0 END) FROM " + rollup_hour + " r LEFT JOIN " + recount + " c" + on,
      "recounting rollup_hour");
  if (!from_rollup.ok()) return from_rollup.status();
  auto from_rows = QueryOne("SELECT COUNT(*), SUM(c.n) FROM " + recount + " c LEFT JOIN " +
                                rollup_hour + " r" + on + " WHERE " + events + " IS NULL",
                            "recounting rollup_hour");
  if (!from_rows.ok()) return from_rows.status();
  check.groups_checked = AsInt((*from_rollup)[0]) + AsInt((*from_rows)[0]);
  check.groups_off = AsInt((*from_rollup)[1]) + AsInt((*from_rows)[0]);
  check.overcounted = AsInt((*from_rollup)[2]);
  check.undercounted = AsInt((*from_rollup)[3]) + AsInt((*from_rows)[1]);
  return check;
}

}  // namespace shopstream::verify
