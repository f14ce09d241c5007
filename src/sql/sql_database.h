// What one SQL database supplies to the store core: its dialect, its name for messages, and
// sessions (sql_session.h), which carry the bulk path into the rows table, where databases
// differ most (SQLite inserts row by row in-process; MySQL loads a batch with LOAD DATA LOCAL
// from memory; PostgreSQL with COPY FROM STDIN). Safe to share between threads: each thread
// connects on its own.
#pragma once

#include <memory>
#include <string>

#include "common/status.h"
#include "sql/dialect.h"
#include "sql/sql_session.h"

namespace shopstream::sql {

class SqlDatabase {
 public:
  virtual ~SqlDatabase() = default;

  // Opens a new session, in UTC and with strict handling of values.
  virtual Result<std::unique_ptr<SqlSession>> Connect() = 0;
  // Known from the URI alone; what depends on the server met is the session's.
  virtual const Dialect& dialect() const = 0;
  // The rows table, as the URI names it (a plain identifier, checked on open).
  virtual const std::string& rows_table() const = 0;
  // Names the store in messages, e.g. "mysql://admin@127.0.0.1:3306/ecommerce"; no secret.
  virtual const std::string& describe() const = 0;
};

}  // namespace shopstream::sql
