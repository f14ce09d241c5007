#include "sql/owned_tables.h"

#include <algorithm>

#include "sql/funnel_tables.h"

namespace shopstream::sql {

const std::vector<std::string_view>& OwnedTables::Bases() {
  static const std::vector<std::string_view> bases = [] {
    // The offsets first: a table that has its own offsets table has all the others (Init
    // creates them in this order, and adoption renames in the reverse one).
    std::vector<std::string_view> out = {OffsetsTable().name};
    for (const Rollup& rollup : Rollups()) out.push_back(rollup.table.name);
    for (const Table& t : PeopleTables()) out.push_back(t.name);
    out.push_back(PeopleOffsetsTable().name);
    for (const Table& t : FunnelTables()) out.push_back(t.name);
    out.push_back(DeadLettersTable().name);
    out.push_back(StatsTable().name);
    out.push_back(AlertsTable().name);
    out.push_back(StreamIdsTable().name);
    return out;
  }();
  return bases;
}

Result<OwnedTables> OwnedTables::For(std::string_view rows_table) {
  if (rows_table == kPlainOwner) return OwnedTables(std::string(rows_table), "");
  std::string prefix = std::string(rows_table).append(kOwnerSeparator);
  size_t longest = 0;
  for (std::string_view base : Bases()) longest = std::max(longest, base.size());
  if (prefix.size() + longest > kMaxIdentifier) {
    return Status::InvalidArgument("table name '" + std::string(rows_table) +
                                   "' is too long: its side tables are named " + prefix +
                                   "rollup_... and a name may have at most " +
                                   std::to_string(kMaxIdentifier) + " characters, so use at most " +
                                   std::to_string(kMaxIdentifier - longest - 2) + " for the table");
  }
  return OwnedTables(std::string(rows_table), std::move(prefix));
}

OwnedTables::OwnedTables(std::string rows, std::string prefix)
    : rows_(std::move(rows)), prefix_(std::move(prefix)) {
  for (std::string_view base : Bases()) names_.emplace(base, prefix_ + std::string(base));
}

Table OwnedTables::Of(const Table& table) const {
  Table owned = table;
  owned.name = Name(table.name);
  return owned;
}

}  // namespace shopstream::sql
