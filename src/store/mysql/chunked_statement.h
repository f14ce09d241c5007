// A statement over many items at once, such as a multi-row INSERT or an IN (...) list, run in
// chunks whose sizes are powers of two, so that a handful of prepared statements serve any
// count of items while every value stays bound.
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <vector>

#include "store/mysql/mysql_client.h"

namespace shopstream::mysql {

class ChunkedStatement {
 public:
  static constexpr size_t kMaxItemsPerStatement = 256;

  // SQL = head + item + (separator + item)... + tail, e.g. head "INSERT INTO t(a,b) VALUES ",
  // item "(?,?)", separator ",", tail " ON DUPLICATE KEY UPDATE ...". `max_items` (rounded down to
  // a power of two) bounds the items of one statement.
  ChunkedStatement(std::string head, std::string item, std::string separator, std::string tail,
                   size_t values_per_item, std::string what,
                   size_t max_items = kMaxItemsPerStatement);

  // Runs over all items; `values` holds values_per_item values for each, item after item.
  Status Execute(Connection& conn, const std::vector<Value>& values);
  // The same for a query; returns the rows of all chunks.
  Result<std::vector<Row>> Query(Connection& conn, const std::vector<Value>& values);

  // Forgets the prepared statements (before their connection goes away).
  void Reset() { prepared_.clear(); }

 private:
  template <typename Fn>
  Status ForEachChunk(Connection& conn, const std::vector<Value>& values, Fn&& run);
  Result<Statement*> Prepared(Connection& conn, size_t items);

  std::string head_, item_, separator_, tail_;
  size_t values_per_item_;
  std::string what_;
  size_t max_items_;
  std::map<size_t, Statement> prepared_;  // by items per statement
};

}  // namespace shopstream::mysql
