#include "sql/funnel_upgrade.h"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "sql/chunked_statement.h"
#include "sql/funnel_states.h"
#include "sql/funnel_tables.h"

namespace shopstream::sql {
namespace {

int64_t Int(const SqlRow& row, size_t i) { return std::stoll(row.at(i).value_or("0")); }

}  // namespace

Status MoveLegacyFunnelStates(SqlConnection& conn, const Dialect& d, const OwnedTables& owned) {
  const std::string legacy = owned.RetiredName(kLegacyFunnelOpen);
  auto exists = conn.Prepare(d.TableExistsQuery(), "looking up " + legacy);
  if (!exists.ok()) return exists.status();
  const SqlValue name = std::string_view(legacy);
  auto found = (*exists)->Query({&name, 1});
  if (!found.ok()) return found.status();
  if (found->empty() || found->front().at(0).value_or("0") == "0") return Status::Ok();

  auto read = conn.Prepare(
      "SELECT session_key, product_id, first_view, last_view, carted_view,"
      " last_time FROM " +
          d.Quote(legacy) + " ORDER BY session_key, product_id",
      "reading " + legacy);
  if (!read.ok()) return read.status();
  auto rows = (*read)->Query({});
  if (!rows.ok()) return rows.status();
  std::vector<int64_t> sessions, newest;
  std::vector<std::string> packed;
  for (const SqlRow& r : *rows) {
    const int64_t session = Int(r, 0);
    const FunnelProduct product{Int(r, 2), Int(r, 3), Int(r, 4), Int(r, 5)};
    if (sessions.empty() || sessions.back() != session) {
      sessions.push_back(session);
      newest.push_back(product.last_time);
      packed.emplace_back();
    }
    AppendPackedProduct(Int(r, 1), product, &packed.back());
    newest.back() = std::max(newest.back(), product.last_time);
  }
  std::vector<SqlValue> values;
  for (size_t i = 0; i < sessions.size(); ++i) {
    values.insert(values.end(), {sessions[i], newest[i], SqlBlob{packed[i]}});
  }
  const Table states = owned.Of(FunnelTables()[kFunnelStates]);
  const ColumnUpdate replace[] = {{"last_time", OnConflict::kReplace},
                                  {"products", OnConflict::kReplace}};
  ChunkedStatement store(
      "INSERT INTO " + d.Quote(states.name) + "(session_key, last_time, products) VALUES ", 3, true,
      d.OnConflictClause(states.name, states.key, replace),
      "packing " + legacy + " into " + std::string(states.name), d.max_rows_per_statement());
  if (Status s = store.Execute(conn, d, values); !s.ok()) return s;
  store.Reset();
  return conn.Exec("DROP TABLE " + d.Quote(legacy), "dropping " + legacy);
}

}  // namespace shopstream::sql
