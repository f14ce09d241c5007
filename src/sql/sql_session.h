// One connection to a SQL database, with everything that lives exactly as long as it: the
// prepared statements and buffers of the rows table's bulk path, and what the server met
// decides. SqlDatabase::Connect() builds it, typed, in the database's own folder, so nothing
// is downcast, prepared behind a flag, or kept per connection in the database object.
#pragma once

#include <string>
#include <vector>

#include "common/status.h"
#include "event/event.h"
#include "sql/sql_connection.h"

namespace shopstream::sql {

class SqlSession : public SqlConnection {
 public:
  // The bulk path: inserts `rows` (ids unique among them) into the rows table, in the
  // transaction open on this session, and returns the rows whose id was not stored before, in
  // order. A stored id is skipped, never an error: only the new rows may count in the rollups.
  virtual Result<std::vector<const CleanedEvent*>> InsertNewRows(
      const std::vector<const CleanedEvent*>& rows) = 0;
  // What this server adds after CREATE TABLE besides the dialect's options (MariaDB and MySQL 8
  // name their exact utf8mb4 collation differently); empty where the kind decides it all.
  virtual std::string ServerTableOptions() const { return ""; }
  // A statement that may run for minutes: filling a rollup new to a large store. Exec, in the
  // open transaction, where the client waits as long as a statement takes; MySQL's gives up
  // after its I/O timeout, so there it runs on a connection of its own.
  virtual Status ExecLong(const std::string& sql, const std::string& what) {
    return Exec(sql, what);
  }
};

}  // namespace shopstream::sql
