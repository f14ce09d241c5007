#include "sql/staged_upsert.h"

#include "common/log.h"
#include "sql/tsv.h"

namespace shopstream::sql {
namespace {

// Below this many rows the bound statements take fewer round trips than load, merge and clear.
constexpr size_t kMinStagedRows = 64;

}  // namespace

StagedUpsert::StagedUpsert(const Table& table, std::span<const ColumnUpdate> updates,
                           std::string_view stage, const Dialect& d, std::string what)
    : dialect_(&d), columns_(table.columns.size()), what_(std::move(what)) {
  for (const Column& c : table.columns) {
    column_list_ += (column_list_.empty() ? "" : ", ") + d.Quote(c.name);
  }
  const std::string quoted = d.Quote(table.name);
  const std::string clause = d.OnConflictClause(table.name, table.key, updates);
  bound_ = ChunkedStatement("INSERT INTO " + quoted + "(" + column_list_ + ") VALUES ", columns_,
                            true, clause, what_, d.max_rows_per_statement());
  quoted_stage_ = d.Quote(stage);
  create_stage_sql_ = d.CreateStageSql(quoted_stage_, quoted);
  merge_sql_ = "INSERT INTO " + quoted + "(" + column_list_ + ") SELECT " + column_list_ +
               " FROM " + quoted_stage_ + clause;
  clear_sql_ = d.ClearStageSql(quoted_stage_);
}

void StagedUpsert::Reset() {
  bound_.Reset();
  merge_.reset();
  clear_.reset();
  staged_ = false;
}

Status StagedUpsert::PrepareStage(SqlSession& conn) {
  if (staged_ || create_stage_sql_.empty()) return Status::Ok();
  if (Status s = conn.Exec(create_stage_sql_, "making a stage for " + what_); !s.ok()) {
    if (!conn.healthy()) return s;
    LogWarn(s.message() + "; binding its rows instead");
    return Status::Ok();
  }
  staged_ = true;
  return Status::Ok();
}

Status StagedUpsert::Execute(SqlSession& conn, std::span<const SqlValue> values) {
  const size_t rows = values.size() / columns_;
  if (!staged_ || rows < kMinStagedRows || values.size() % columns_ != 0) {
    return bound_.Execute(conn, *dialect_, values);
  }
  tsv_.clear();
  for (size_t r = 0; r < rows; ++r) {
    if (!AppendTsvValues(values.subspan(r * columns_, columns_), &tsv_)) {
      return bound_.Execute(conn, *dialect_, values);
    }
  }
  auto loaded = conn.LoadStage(quoted_stage_, column_list_, tsv_, rows);
  if (!loaded.ok()) return loaded.status();
  if (!*loaded) {
    staged_ = false;  // the server refuses the bulk path: not asked again on this connection
    return bound_.Execute(conn, *dialect_, values);
  }
  if (!merge_) {
    auto merge = conn.Prepare(merge_sql_, what_);
    if (!merge.ok()) return merge.status();
    merge_ = std::move(merge).value();
  }
  if (Status s = merge_->Execute({}); !s.ok()) return s;
  if (clear_sql_.empty()) return Status::Ok();
  if (!clear_) {
    auto clear = conn.Prepare(clear_sql_, "emptying the stage of " + what_);
    if (!clear.ok()) return clear.status();
    clear_ = std::move(clear).value();
  }
  return clear_->Execute({});
}

}  // namespace shopstream::sql
