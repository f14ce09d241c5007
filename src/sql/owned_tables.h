// The tables a processed table owns beside its rows (schema.h: rollups, people, offsets, dead
// letters, stats), under names of its own, so that two processed tables in one database (or
// schema, or SQLite file) never share a figure or an offset. The seed's `operations` keeps the
// plain names (rollup_minute, stream_offsets, ...), which older stores, dashboards and the
// Superset bundle already use; any other table T owns T__rollup_minute, T__stream_offsets, ...
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "sql/schema.h"

namespace shopstream::sql {

// The rows table that keeps the plain names.
inline constexpr std::string_view kPlainOwner = "operations";
// Between a table's name and its side tables' names.
inline constexpr std::string_view kOwnerSeparator = "__";
// Identifiers longer than this are refused (PostgreSQL keeps 63 bytes, MySQL 64).
inline constexpr size_t kMaxIdentifier = 63;

class OwnedTables {
 public:
  // Refuses a rows table whose side tables' names would pass kMaxIdentifier.
  static Result<OwnedTables> For(std::string_view rows_table);

  const std::string& rows() const { return rows_; }
  bool plain() const { return prefix_.empty(); }
  // The owned name of the side table `base` (such as "rollup_minute"). REQUIRES: `base` is one
  // of Bases().
  const std::string& Name(std::string_view base) const { return names_.find(base)->second; }
  // `table` under its owned name. The name points into this object, which stays put: keep it
  // behind a pointer (it is move-only, and moves keep the names where they are).
  Table Of(const Table& table) const;
  // The owned name an older layout gave a side table that is no longer one of Bases().
  std::string RetiredName(std::string_view base) const { return prefix_ + std::string(base); }

  // Every side table's plain name, in creation order; stream_offsets first (see Adopt).
  static const std::vector<std::string_view>& Bases();

 private:
  OwnedTables(std::string rows, std::string prefix);

  std::string rows_, prefix_;
  std::map<std::string, std::string, std::less<>> names_;  // base -> owned name
};

}  // namespace shopstream::sql
