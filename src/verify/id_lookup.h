// Asks a store which of some ids it holds, a chunk at a time, so that `verify` never keeps
// more than one chunk of ids in memory. One implementation per kind of store: SQL rows
// tables (SQLite, MySQL, PostgreSQL) and Cassandra's raw table.
#pragma once

#include <memory>
#include <string>
#include <unordered_set>
#include <vector>

#include "common/status.h"
#include "sql/sql_database.h"

namespace shopstream::verify {

class IdLookup {
 public:
  virtual ~IdLookup() = default;
  // The ids of `ids` that the store holds. InvalidArgument when the store lacks the table.
  virtual Result<std::unordered_set<std::string>> Present(const std::vector<std::string>& ids) = 0;
  // Names the store and its table in messages; no secret.
  virtual std::string describe() const = 0;
};

// A raw store URI: sqlite:///PATH (table raw_operations) or cassandra://HOSTS/KEYSPACE.TABLE.
// Checks that the table exists (InvalidArgument, naming the store, when it does not).
Result<std::unique_ptr<IdLookup>> OpenRawLookup(const std::string& uri);

// The rows table of a processed store, over a connection of its own from `db`.
Result<std::unique_ptr<IdLookup>> OpenRowsLookup(std::shared_ptr<sql::SqlDatabase> db);

}  // namespace shopstream::verify
