// A statement over many items at once, such as a multi-row INSERT or an IN (...) list, run in
// chunks whose sizes are powers of two, so that a handful of prepared statements serve any
// count of items while every value stays bound.
#pragma once

#include <cstddef>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "sql/dialect.h"
#include "sql/sql_connection.h"

namespace shopstream::sql {

class ChunkedStatement {
 public:
  ChunkedStatement() = default;
  // SQL = head + item + "," + item ... + tail, each item `values_per_item` placeholders of the
  // dialect, in parentheses when `parenthesized` (a row of VALUES; not for an IN list).
  // `max_items` (rounded down to a power of two) bounds the items of one statement.
  ChunkedStatement(std::string head, size_t values_per_item, bool parenthesized, std::string tail,
                   std::string what, size_t max_items);

  // Runs over all items; `values` holds values_per_item values for each, item after item.
  Status Execute(SqlConnection& conn, const Dialect& dialect, std::span<const SqlValue> values);
  // The same for a query; returns the rows of all chunks.
  Result<std::vector<SqlRow>> Query(SqlConnection& conn, const Dialect& dialect,
                                    std::span<const SqlValue> values);

  // Forgets the prepared statements (before their connection goes away).
  void Reset() { prepared_.clear(); }

 private:
  template <typename Fn>
  Status ForEachChunk(SqlConnection& conn, const Dialect& dialect, std::span<const SqlValue> values,
                      Fn&& run);
  Result<SqlStatement*> Prepared(SqlConnection& conn, const Dialect& dialect, size_t items);

  std::string head_;
  size_t values_per_item_ = 1;
  bool parenthesized_ = true;
  std::string tail_;
  std::string what_;
  size_t max_items_ = 1;
  std::map<size_t, std::unique_ptr<SqlStatement>> prepared_;  // by items per statement
};

}  // namespace shopstream::sql
