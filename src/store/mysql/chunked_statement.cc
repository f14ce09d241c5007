#include "store/mysql/chunked_statement.h"

#include <algorithm>
#include <bit>

namespace shopstream::mysql {

ChunkedStatement::ChunkedStatement(std::string head, std::string item, std::string separator,
                                   std::string tail, size_t values_per_item, std::string what,
                                   size_t max_items)
    : head_(std::move(head)),
      item_(std::move(item)),
      separator_(std::move(separator)),
      tail_(std::move(tail)),
      values_per_item_(values_per_item),
      what_(std::move(what)),
      max_items_(std::bit_floor(std::max<size_t>(max_items, 1))) {}

Result<Statement*> ChunkedStatement::Prepared(Connection& conn, size_t items) {
  auto it = prepared_.find(items);
  if (it != prepared_.end()) return &it->second;
  std::string sql = head_;
  for (size_t i = 0; i < items; ++i) {
    if (i > 0) sql += separator_;
    sql += item_;
  }
  sql += tail_;
  auto stmt = conn.Prepare(sql, what_);
  if (!stmt.ok()) return stmt.status();
  return &prepared_.emplace(items, std::move(stmt).value()).first->second;
}

template <typename Fn>
Status ChunkedStatement::ForEachChunk(Connection& conn, const std::vector<Value>& values,
                                      Fn&& run) {
  if (values.size() % values_per_item_ != 0) {
    return Status::Internal(what_ + ": " + std::to_string(values.size()) +
                            " values are not a whole number of items");
  }
  size_t done = 0;
  size_t left = values.size() / values_per_item_;
  while (left > 0) {
    const size_t items = std::bit_floor(std::min(left, max_items_));
    auto stmt = Prepared(conn, items);
    if (!stmt.ok()) return stmt.status();
    const auto first = values.begin() + static_cast<std::ptrdiff_t>(done * values_per_item_);
    const std::vector<Value> chunk(first,
                                   first + static_cast<std::ptrdiff_t>(items * values_per_item_));
    if (Status s = run(*stmt.value(), chunk); !s.ok()) return s;
    done += items;
    left -= items;
  }
  return Status::Ok();
}

Status ChunkedStatement::Execute(Connection& conn, const std::vector<Value>& values) {
  return ForEachChunk(conn, values, [](Statement& stmt, const std::vector<Value>& chunk) {
    return stmt.Execute(chunk);
  });
}

Result<std::vector<Row>> ChunkedStatement::Query(Connection& conn,
                                                 const std::vector<Value>& values) {
  std::vector<Row> rows;
  Status s = ForEachChunk(conn, values, [&rows](Statement& stmt, const std::vector<Value>& chunk) {
    auto got = stmt.Query(chunk);
    if (!got.ok()) return got.status();
    for (Row& row : got.value()) rows.push_back(std::move(row));
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return rows;
}

}  // namespace shopstream::mysql
