// What one SQL database supplies to the store core besides its dialect: connections, its name
// for messages, and the bulk path into the rows table, where databases differ most (SQLite
// inserts row by row in-process; MySQL loads a batch with LOAD DATA LOCAL from memory;
// PostgreSQL with COPY FROM STDIN).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "event/event.h"
#include "sql/dialect.h"
#include "sql/sql_connection.h"

namespace shopstream::sql {

class SqlDatabase {
 public:
  virtual ~SqlDatabase() = default;

  // Opens a new connection, in UTC and with strict handling of values.
  virtual Result<std::unique_ptr<SqlConnection>> Connect() = 0;
  // REQUIRES: a Connect() succeeded (a dialect may depend on the server it met).
  virtual const Dialect& dialect() const = 0;
  // The rows table, as the URI names it (a plain identifier, checked on open).
  virtual const std::string& rows_table() const = 0;
  // Names the store in messages, e.g. "mysql://admin@127.0.0.1:3306/ecommerce"; no secret.
  virtual const std::string& describe() const = 0;

  // The bulk path: inserts `rows` (ids unique among them) into the rows table, in the
  // transaction open on `conn`, and returns the rows whose id was not stored before, in order.
  // A stored id is skipped, never an error: only the new rows may count in the rollups.
  virtual Result<std::vector<const CleanedEvent*>> InsertNewRows(
      SqlConnection& conn, const std::vector<const CleanedEvent*>& rows) = 0;
  // Called before `conn` goes away, for state kept per connection (prepared statements).
  virtual void ForgetConnection() {}
};

}  // namespace shopstream::sql
