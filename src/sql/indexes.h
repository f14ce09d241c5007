// Secondary indexes of the side tables: what the write path filters on besides a primary key
// (funnel_states' expiry deletes by last_time). Kept apart from the tables' descriptions
// (schema.h), and made after them, idempotently, on new and existing stores alike.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "sql/dialect.h"
#include "sql/owned_tables.h"
#include "sql/sql_connection.h"

namespace shopstream::sql {

struct SecondaryIndex {
  std::string_view table;  // a side table's plain name (OwnedTables::Bases())
  std::string_view name;   // the index is named after its owned table: <table>_<name>
  std::vector<std::string_view> columns;
};

const std::vector<SecondaryIndex>& SecondaryIndexes();

// The index's name in a store whose side tables are `owned`.
std::string IndexName(const SecondaryIndex& index, const OwnedTables& owned);

// Creates each index that `owned`'s tables lack, looked up first (MySQL 8 has no CREATE INDEX
// IF NOT EXISTS), in the transaction open on `conn`.
Status CreateMissingIndexes(SqlConnection& conn, const Dialect& dialect, const OwnedTables& owned);

}  // namespace shopstream::sql
