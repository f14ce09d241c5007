#include "sql/indexes.h"

namespace shopstream::sql {

const std::vector<SecondaryIndex>& SecondaryIndexes() {
  static const std::vector<SecondaryIndex> indexes = {
      // Each batch deletes the sessions whose product states are all older than twice the
      // horizon: without it, a scan of the whole table (two hours of sessions) per batch.
      {"funnel_states", "last_time", {"last_time"}},
  };
  return indexes;
}

std::string IndexName(const SecondaryIndex& index, const OwnedTables& owned) {
  return owned.Name(index.table) + "_" + std::string(index.name);
}

Status CreateMissingIndexes(SqlConnection& conn, const Dialect& d, const OwnedTables& owned) {
  auto exists = conn.Prepare(d.IndexExistsQuery(), "looking up existing indexes");
  if (!exists.ok()) return exists.status();
  for (const SecondaryIndex& index : SecondaryIndexes()) {
    const std::string table = owned.Name(index.table), name = IndexName(index, owned);
    if (name.size() > kMaxIdentifier) {
      return Status::Internal("index name " + name + " is longer than " +
                              std::to_string(kMaxIdentifier) + " characters");
    }
    const SqlValue key[] = {std::string_view(table), std::string_view(name)};
    auto rows = (*exists)->Query(key);
    if (!rows.ok()) return rows.status();
    if (!rows->empty() && rows->front().at(0).value_or("0") != "0") continue;
    std::string sql = "CREATE INDEX " + d.Quote(name) + " ON " + d.Quote(table) + "(";
    for (size_t i = 0; i < index.columns.size(); ++i) {
      sql += (i > 0 ? ", " : "") + d.Quote(index.columns[i]);
    }
    if (Status s = conn.Exec(sql + ")", "indexing " + table); !s.ok()) return s;
  }
  return Status::Ok();
}

}  // namespace shopstream::sql
