#include "sql/dead_letter_table.h"

#include "sql/dead_letter_upgrade.h"
#include "sql/owned_tables.h"
#include "sql/schema.h"

namespace shopstream::sql {
namespace {

int64_t Number(const std::optional<std::string>& cell) {
  return cell ? std::strtoll(cell->c_str(), nullptr, 10) : 0;
}

// The columns Select reads, in its order.
constexpr const char* kColumns[] = {"stream",      "partition",   "offset", "reason",
                                    "code",        "field",       "state",  "replays",
                                    "recorded_at", "replayed_at", "policy", "payload"};

}  // namespace

DeadLetterTable::DeadLetterTable(std::unique_ptr<SqlDatabase> database,
                                 std::unique_ptr<SqlConnection> conn, std::string table,
                                 bool needs_upgrade)
    : database_(std::move(database)),
      conn_(std::move(conn)),
      table_(std::move(table)),
      needs_upgrade_(needs_upgrade) {}

Result<std::unique_ptr<DeadLetterTable>> DeadLetterTable::Open(
    std::unique_ptr<SqlDatabase> database) {
  auto conn = database->Connect();
  if (!conn.ok()) return conn.status();
  const Dialect& d = database->dialect();
  auto owned = OwnedTables::For(database->rows_table());
  if (!owned.ok()) return owned.status();
  const std::string name = owned->Name(DeadLettersTable().name);
  auto exists = (*conn)->Prepare(d.TableExistsQuery(), "looking up existing tables");
  if (!exists.ok()) return exists.status();
  const SqlValue value = std::string_view(name);
  auto found = (*exists)->Query({&value, 1});
  if (!found.ok()) return found.status();
  if (found->empty() || found->front().at(0).value_or("0") == "0") {
    return Status::NotFound(database->describe() + " has no table " + name +
                            ": has `shopstream process` run into this store?");
  }
  auto needs_upgrade = DeadLettersNeedUpgrade(**conn, d, name);
  if (!needs_upgrade.ok()) return needs_upgrade.status();
  const std::string quoted = d.Quote(name);
  return std::unique_ptr<DeadLetterTable>(
      new DeadLetterTable(std::move(database), std::move(conn).value(), quoted, *needs_upgrade));
}

std::string DeadLetterTable::Where(const DeadLetterFilter& f, const store::DeadLetterKey* after,
                                   std::vector<SqlValue>* values) const {
  const Dialect& d = database_->dialect();
  std::string sql;
  auto add = [&](const std::string& condition) {
    sql += (sql.empty() ? " WHERE " : " AND ") + condition;
  };
  auto next = [&] { return d.Placeholder(values->size()); };
  if (!f.code.empty()) {
    add("code = " + next());
    values->push_back(std::string_view(f.code));
  }
  if (!f.since.empty()) {
    add("recorded_at >= " + next());
    values->push_back(std::string_view(f.since));
  }
  if (!f.before.empty()) {
    add("recorded_at < " + next());
    values->push_back(std::string_view(f.before));
  }
  if (!f.state.empty()) {
    add("state = " + next());
    values->push_back(std::string_view(f.state));
  }
  if (f.replayable) {
    add("code <> " + next());
    values->push_back(std::string_view("bus.retention"));
  }
  if (after) {
    // Row values compare key by key: SQLite, MySQL and PostgreSQL all read them so.
    std::string row = "(stream, " + d.Quote("partition") + ", " + d.Quote("offset") + ") > (";
    row += next() + ", ";
    values->push_back(std::string_view(after->stream));
    row += next() + ", ";
    values->push_back(int64_t{after->partition});
    row += next() + ")";
    values->push_back(after->offset);
    add(row);
  }
  return sql;
}

Result<std::vector<StoredDeadLetter>> DeadLetterTable::Select(const std::string& where,
                                                              const std::vector<SqlValue>& values,
                                                              const std::string& tail) {
  const Dialect& d = database_->dialect();
  std::string sql = "SELECT ";
  for (const char* c : kColumns) sql += (sql.size() > 7 ? ", " : "") + d.Quote(c);
  auto statement = conn_->Prepare(sql + " FROM " + table_ + where + tail, "reading dead letters");
  if (!statement.ok()) return statement.status();
  auto rows = (*statement)->Query(values);
  if (!rows.ok()) return rows.status();
  std::vector<StoredDeadLetter> out;
  out.reserve(rows->size());
  for (SqlRow& r : *rows) {
    StoredDeadLetter l;
    l.key = {r.at(0).value_or(""), static_cast<int32_t>(Number(r.at(1))), Number(r.at(2))};
    l.reason = r.at(3).value_or("");
    l.code = r.at(4).value_or("");
    l.field = r.at(5).value_or("");
    l.state = r.at(6).value_or("");
    l.replays = Number(r.at(7));
    l.recorded_at = r.at(8).value_or("");
    l.replayed_at = r.at(9).value_or("");
    l.policy = r.at(10).value_or("");
    auto payload = d.BlobBytes(r.at(11).value_or(""));
    if (!payload.ok()) return payload.status();
    l.payload = std::move(payload).value();
    out.push_back(std::move(l));
  }
  return out;
}

Result<std::vector<DeadLetterGroup>> DeadLetterTable::Groups() {
  const Dialect& d = database_->dialect();
  const std::string offset = d.Quote("offset");
  auto statement = conn_->Prepare(
      "SELECT code, field, stream, state, COUNT(*), MIN(" + offset + "), MAX(" + offset +
          "), MIN(recorded_at), MAX(recorded_at) FROM " + table_ +
          " GROUP BY code, field, stream, state ORDER BY COUNT(*) DESC, code, field, stream, state",
      "counting dead letters by code");
  if (!statement.ok()) return statement.status();
  auto rows = (*statement)->Query({});
  if (!rows.ok()) return rows.status();
  std::vector<DeadLetterGroup> out;
  for (const SqlRow& r : *rows) {
    out.push_back({r.at(0).value_or(""), r.at(1).value_or(""), r.at(2).value_or(""),
                   r.at(3).value_or(""), Number(r.at(4)), Number(r.at(5)), Number(r.at(6)),
                   r.at(7).value_or(""), r.at(8).value_or("")});
  }
  return out;
}

Result<std::vector<StoredDeadLetter>> DeadLetterTable::Page(const DeadLetterFilter& filter,
                                                            const store::DeadLetterKey* after,
                                                            int64_t limit) {
  const Dialect& d = database_->dialect();
  std::vector<SqlValue> values;
  const std::string where = Where(filter, after, &values);
  std::string tail = " ORDER BY stream, " + d.Quote("partition") + ", " + d.Quote("offset");
  if (limit >= 0) tail += " LIMIT " + std::to_string(limit);
  return Select(where, values, tail);
}

Result<int64_t> DeadLetterTable::Count(const DeadLetterFilter& filter) {
  std::vector<SqlValue> values;
  const std::string where = Where(filter, nullptr, &values);
  auto statement =
      conn_->Prepare("SELECT COUNT(*) FROM " + table_ + where, "counting dead letters");
  if (!statement.ok()) return statement.status();
  auto rows = (*statement)->Query(values);
  if (!rows.ok()) return rows.status();
  return rows->empty() ? 0 : Number(rows->front().at(0));
}

Result<std::optional<StoredDeadLetter>> DeadLetterTable::Find(const store::DeadLetterKey& key) {
  const Dialect& d = database_->dialect();
  const std::vector<SqlValue> values = {std::string_view(key.stream), int64_t{key.partition},
                                        key.offset};
  auto found =
      Select(" WHERE stream = " + d.Placeholder(0) + " AND " + d.Quote("partition") + " = " +
                 d.Placeholder(1) + " AND " + d.Quote("offset") + " = " + d.Placeholder(2),
             values, "");
  if (!found.ok()) return found.status();
  if (found->empty()) return std::optional<StoredDeadLetter>();
  return std::optional<StoredDeadLetter>(std::move(found->front()));
}

Result<int64_t> DeadLetterTable::Delete(const DeadLetterFilter& filter) {
  std::vector<SqlValue> values;
  const std::string where = Where(filter, nullptr, &values);
  auto statement = conn_->Prepare("DELETE FROM " + table_ + where, "purging dead letters");
  if (!statement.ok()) return statement.status();
  if (Status s = (*statement)->Execute(values); !s.ok()) return s;
  return (*statement)->affected_rows();
}

}  // namespace shopstream::sql
