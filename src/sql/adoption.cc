#include "sql/adoption.h"

#include <algorithm>
#include <map>
#include <set>

#include "common/log.h"
#include "sql/schema.h"

namespace shopstream::sql {
namespace {

using Columns = std::map<std::string, std::set<std::string>>;  // table -> its columns

Result<Columns> ListColumns(SqlConnection& conn, const Dialect& d) {
  auto statement = conn.Prepare(d.ColumnsQuery(), "listing the store's tables");
  if (!statement.ok()) return statement.status();
  auto rows = (*statement)->Query({});
  if (!rows.ok()) return rows.status();
  Columns out;
  for (const SqlRow& row : *rows) {
    if (row.size() < 2 || !row[0] || !row[1]) continue;
    out[*row[0]].insert(*row[1]);
  }
  return out;
}

// Tables with every column of the seed's rows table, but side tables of a processed table.
std::vector<std::string> RowsTables(const Columns& columns) {
  const Table shape = RowsTable("");
  std::vector<std::string> out;
  for (const auto& [table, names] : columns) {
    const bool side = std::any_of(
        OwnedTables::Bases().begin(), OwnedTables::Bases().end(), [&](std::string_view base) {
          return table == base || table.ends_with(std::string(kOwnerSeparator) + std::string(base));
        });
    if (side) continue;
    const bool rows = std::all_of(shape.columns.begin(), shape.columns.end(), [&](const Column& c) {
      return names.contains(std::string(c.name));
    });
    if (rows) out.push_back(table);
  }
  return out;
}

std::string Join(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& name : names) out += (out.empty() ? "" : ", ") + name;
  return out;
}

}  // namespace

Status AdoptSharedTables(SqlConnection& conn, const Dialect& d, const OwnedTables& tables,
                         const std::string& store) {
  auto columns = ListColumns(conn, d);
  if (!columns.ok()) return columns.status();
  const std::string plain_offsets(OffsetsTable().name);
  if (!columns->contains(plain_offsets)) return Status::Ok();  // no plain set

  // The rows tables the plain set may serve: `operations`, which owns it now, and the tables
  // without a set of their own (made before, or by a processor that never ran since).
  std::vector<std::string> owners;
  for (const std::string& table : RowsTables(*columns)) {
    auto own = OwnedTables::For(table);
    if (!own.ok()) continue;  // too long a name: never a processed table
    if (own->plain() || !columns->contains(own->Name(plain_offsets))) owners.push_back(table);
  }
  const bool mine =
      tables.plain() || std::find(owners.begin(), owners.end(), tables.rows()) != owners.end();
  if (owners.size() > 1) {
    if (!mine) return Status::Ok();  // a new table: its own set, and the others stay as they are
    return Status::Corruption(
        store +
        ": its side tables (stream_offsets, rollup_*, people_*, dead_letters, "
        "processor_stats) were written by an older shopstream for several processed "
        "tables at once (" +
        Join(owners) +
        "), so their figures and offsets cannot be told apart. Keep one of these tables in this "
        "database (move or drop the others), or drop the shared side tables and process into "
        "fresh tables; then start again");
  }
  if (owners.empty() || owners.front() == kPlainOwner) return Status::Ok();

  // One owner that is not `operations`: its set moves to its own names.
  auto owner = OwnedTables::For(owners.front());
  if (!owner.ok()) return owner.status();
  LogInfo(store + ": the side tables an older shopstream kept for " + owners.front() +
          " under plain names are renamed to " + owners.front() + std::string(kOwnerSeparator) +
          "*");
  const auto& bases = OwnedTables::Bases();
  for (auto base = bases.rbegin(); base != bases.rend(); ++base) {
    const std::string from(*base);
    const std::string& to = owner->Name(*base);
    if (!columns->contains(from) || columns->contains(to)) continue;  // moved before, or never made
    if (Status s = conn.Exec("ALTER TABLE " + d.Quote(from) + " RENAME TO " + d.Quote(to),
                             "renaming " + from + " to " + to);
        !s.ok()) {
      return s;
    }
  }
  return Status::Ok();
}

}  // namespace shopstream::sql
