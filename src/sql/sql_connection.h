// The SQL store core's view of a database connection: statements with bound values, and SQL
// without values (DDL, transaction control). Each database's folder adapts its client to it
// (sqlite/, mysql/, postgres/). Errors come back classified: Unavailable when a
// retry can help, RefusedValue when a value of the data was refused, InvalidArgument for the
// configuration (access, a missing database), Internal for the rest.
// Not thread-safe: one connection per thread at a time.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "common/sql_value.h"
#include "common/status.h"

namespace shopstream::sql {

class SqlStatement {
 public:
  virtual ~SqlStatement() = default;
  // Runs the statement with exactly as many values as it has placeholders.
  virtual Status Execute(std::span<const SqlValue> values) = 0;
  // Runs a query and returns all of its rows.
  virtual Result<std::vector<SqlRow>> Query(std::span<const SqlValue> values) = 0;
  // Rows the last Execute inserted, changed or deleted.
  virtual int64_t affected_rows() const = 0;
};

class SqlConnection {
 public:
  virtual ~SqlConnection() = default;
  // Runs SQL that holds no values. `what` names it in error messages.
  virtual Status Exec(const std::string& sql, const std::string& what) = 0;
  virtual Result<std::unique_ptr<SqlStatement>> Prepare(const std::string& sql,
                                                        const std::string& what) = 0;
  // False once the connection is lost: the caller opens a new one.
  virtual bool healthy() const = 0;
};

}  // namespace shopstream::sql
