#include "sql/chunked_statement.h"

#include <algorithm>
#include <bit>

namespace shopstream::sql {

ChunkedStatement::ChunkedStatement(std::string head, size_t values_per_item, bool parenthesized,
                                   std::string tail, std::string what, size_t max_items)
    : head_(std::move(head)),
      values_per_item_(values_per_item),
      parenthesized_(parenthesized),
      tail_(std::move(tail)),
      what_(std::move(what)),
      max_items_(std::bit_floor(std::max<size_t>(max_items, 1))) {}

Result<SqlStatement*> ChunkedStatement::Prepared(SqlConnection& conn, const Dialect& dialect,
                                                 size_t items) {
  auto it = prepared_.find(items);
  if (it != prepared_.end()) return it->second.get();
  std::string sql = head_;
  size_t placeholder = 0;
  for (size_t i = 0; i < items; ++i) {
    if (i > 0) sql += ",";
    if (parenthesized_) sql += "(";
    for (size_t v = 0; v < values_per_item_; ++v) {
      if (v > 0) sql += ",";
      sql += dialect.Placeholder(placeholder++);
    }
    if (parenthesized_) sql += ")";
  }
  sql += tail_;
  auto stmt = conn.Prepare(sql, what_);
  if (!stmt.ok()) return stmt.status();
  return prepared_.emplace(items, std::move(stmt).value()).first->second.get();
}

template <typename Fn>
Status ChunkedStatement::ForEachChunk(SqlConnection& conn, const Dialect& dialect,
                                      std::span<const SqlValue> values, Fn&& run) {
  if (values.size() % values_per_item_ != 0) {
    return Status::Internal(what_ + ": " + std::to_string(values.size()) +
                            " values are not a whole number of items");
  }
  size_t done = 0;
  size_t left = values.size() / values_per_item_;
  while (left > 0) {
    const size_t items = std::bit_floor(std::min(left, max_items_));
    auto stmt = Prepared(conn, dialect, items);
    if (!stmt.ok()) return stmt.status();
    if (Status s =
            run(*stmt.value(), values.subspan(done * values_per_item_, items * values_per_item_));
        !s.ok()) {
      return s;
    }
    done += items;
    left -= items;
  }
  return Status::Ok();
}

Status ChunkedStatement::Execute(SqlConnection& conn, const Dialect& dialect,
                                 std::span<const SqlValue> values) {
  return ForEachChunk(
      conn, dialect, values,
      [](SqlStatement& stmt, std::span<const SqlValue> chunk) { return stmt.Execute(chunk); });
}

Result<std::vector<SqlRow>> ChunkedStatement::Query(SqlConnection& conn, const Dialect& dialect,
                                                    std::span<const SqlValue> values) {
  std::vector<SqlRow> rows;
  Status s = ForEachChunk(conn, dialect, values,
                          [&rows](SqlStatement& stmt, std::span<const SqlValue> chunk) {
                            auto got = stmt.Query(chunk);
                            if (!got.ok()) return got.status();
                            for (SqlRow& row : got.value()) rows.push_back(std::move(row));
                            return Status::Ok();
                          });
  if (!s.ok()) return s;
  return rows;
}

}  // namespace shopstream::sql
