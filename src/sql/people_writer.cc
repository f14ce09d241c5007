#include "sql/people_writer.h"

#include <algorithm>
#include <bit>

namespace shopstream::sql {
namespace {

// Sketches bound to one statement stay within this many bytes: a few dense sketches (12 KiB
// each) per row, and servers' packet limits of a few MiB.
constexpr size_t kMaxStatementBytes = 1 << 20;
// Rows merged per round: up to five dense sketches each, parsed and serialized again.
constexpr size_t kRowsPerRound = 32;

std::string ColumnList(const Table& t, size_t count, const Dialect& d) {
  std::string list;
  for (size_t i = 0; i < count; ++i) list += (i > 0 ? ", " : "") + d.Quote(t.columns[i].name);
  return list;
}

Result<sketch::HyperLogLog> ParseStored(const std::optional<std::string>& fetched, const Dialect& d,
                                        std::string_view table) {
  if (!fetched) return sketch::HyperLogLog();
  auto bytes = d.BlobBytes(*fetched);
  if (!bytes.ok()) return bytes.status();
  auto parsed = sketch::HyperLogLog::Parse(*bytes);
  if (!parsed.ok()) {
    return Status::Corruption(std::string(table) +
                              " holds a sketch that does not parse: " + parsed.status().message());
  }
  return parsed;
}

// The key columns of a row: scope, brand, department and, but in people_all, the bucket.
void AppendKey(const PeopleKey& key, bool has_bucket, std::vector<SqlValue>* values) {
  const auto& [scope, brand, department, bucket] = key;
  values->insert(values->end(),
                 {std::string_view(scope), std::string_view(brand), std::string_view(department)});
  if (has_bucket) values->push_back(std::string_view(bucket));
}

}  // namespace

PeopleWriter::PeopleWriter(const Dialect& d, const OwnedTables& tables) : dialect_(d) {
  const size_t rows = d.max_rows_per_statement();
  for (const Table& plain : PeopleTables()) {
    TableStatements s;
    s.table = tables.Of(plain);
    const Table& t = s.table;
    s.key_columns = t.key.size();
    const std::string name = d.Quote(t.name);
    s.ensure = ChunkedStatement(
        "INSERT INTO " + name + "(" + ColumnList(t, s.key_columns, d) + ") VALUES ", s.key_columns,
        true, d.OnConflictClause(t.name, t.key, {}), "making rows of " + std::string(t.name), rows);
    std::vector<ColumnUpdate> replace;
    for (size_t i = s.key_columns; i < t.columns.size(); ++i) {
      replace.push_back({t.columns[i].name, OnConflict::kReplace});
    }
    s.store = ChunkedStatement(
        "INSERT INTO " + name + "(" + ColumnList(t, t.columns.size(), d) + ") VALUES ",
        t.columns.size(), true, d.OnConflictClause(t.name, t.key, replace),
        "merging sketches into " + std::string(t.name), rows);
    s.lookup_head = "SELECT " + ColumnList(t, t.columns.size(), d) + " FROM " + name + " WHERE ";
    s.lookup_tail = d.serializes_writers() ? "" : " FOR UPDATE";
    for (size_t i = 0; i < s.key_columns; ++i) {
      s.lookup_item += std::string(i > 0 ? " AND " : "(") + d.Quote(t.key[i]) + " = {}";
    }
    s.lookup_item += ")";
    tables_.push_back(std::move(s));
  }
}

void PeopleWriter::Reset() {
  for (TableStatements& t : tables_) {
    t.ensure.Reset();
    t.store.Reset();
    t.lookups.clear();
  }
}

Status PeopleWriter::Write(SqlConnection& conn, const PeopleSketchLevels& levels) {
  const PeopleSketchRows* rows[] = {&levels.minute, &levels.hour, &levels.day, &levels.all};
  for (size_t i = 0; i < tables_.size(); ++i) {
    if (Status s = WriteTable(conn, tables_[i], {rows[i]->begin(), rows[i]->end()}); !s.ok()) {
      return s;
    }
  }
  return Status::Ok();
}

Status PeopleWriter::WriteLevel(SqlConnection& conn, size_t level, const PeopleSketchRows& rows) {
  return WriteTable(conn, tables_.at(level), {rows.begin(), rows.end()});
}

Status PeopleWriter::WriteLevel(SqlConnection& conn, size_t level,
                                PeopleSketchRows::const_iterator first,
                                PeopleSketchRows::const_iterator last) {
  return WriteTable(conn, tables_.at(level), {first, last});
}

size_t PeopleWriter::RowsPerRound() { return kRowsPerRound; }

Result<std::map<PeopleKey, PeopleSketches>> PeopleWriter::Read(SqlConnection& conn,
                                                               TableStatements& t,
                                                               const std::vector<SqlValue>& keys) {
  std::map<PeopleKey, PeopleSketches> stored;
  const size_t per_key = t.key_columns;
  const size_t max_keys = std::bit_floor(std::max<size_t>(dialect_.max_rows_per_statement(), 1));
  for (size_t done = 0, left = keys.size() / per_key; left > 0;) {
    const size_t n = std::bit_floor(std::min(left, max_keys));
    auto it = t.lookups.find(n);
    if (it == t.lookups.end()) {
      std::string sql = t.lookup_head;
      size_t placeholder = 0;
      for (size_t k = 0; k < n; ++k) {
        if (k > 0) sql += " OR ";
        std::string item = t.lookup_item;
        for (size_t at = item.find("{}"); at != std::string::npos; at = item.find("{}", at)) {
          const std::string p = dialect_.Placeholder(placeholder++);
          item.replace(at, 2, p);
          at += p.size();
        }
        sql += item;
      }
      auto stmt = conn.Prepare(sql + t.lookup_tail, "reading " + std::string(t.table.name));
      if (!stmt.ok()) return stmt.status();
      it = t.lookups.emplace(n, std::move(stmt).value()).first;
    }
    auto found = it->second->Query(std::span(keys).subspan(done * per_key, n * per_key));
    if (!found.ok()) return found.status();
    for (const SqlRow& row : *found) {
      PeopleKey key{row.at(0).value_or(""), row.at(1).value_or(""), row.at(2).value_or(""),
                    per_key > 3 ? row.at(3).value_or("") : std::string()};
      PeopleSketches s;
      sketch::HyperLogLog* sketches[] = {&s.users, &s.sessions, &s.viewing, &s.carting, &s.buying};
      for (size_t c = 0; c < kPeopleSketchColumns; ++c) {
        auto parsed = ParseStored(row.at(per_key + c), dialect_, t.table.name);
        if (!parsed.ok()) return parsed.status();
        *sketches[c] = std::move(parsed).value();
      }
      stored.emplace(std::move(key), std::move(s));
    }
    done += n;
    left -= n;
  }
  return stored;
}

Status PeopleWriter::WriteTable(SqlConnection& conn, TableStatements& t, RowRange rows) {
  for (auto from = rows.first; from != rows.second;) {
    auto to = from;
    for (size_t n = 0; n < kRowsPerRound && to != rows.second; ++n) ++to;
    if (Status s = WriteRound(conn, t, {from, to}); !s.ok()) return s;
    from = to;
  }
  return Status::Ok();
}

Status PeopleWriter::WriteRound(SqlConnection& conn, TableStatements& t, RowRange rows) {
  const bool has_bucket = t.key_columns == 4;
  std::vector<SqlValue> keys;
  for (auto it = rows.first; it != rows.second; ++it) AppendKey(it->first, has_bucket, &keys);
  // Where another writer may run meanwhile, every row is made first, so that the locking read
  // below finds and locks each of them; a database that serializes writers needs neither.
  if (!dialect_.serializes_writers()) {
    if (Status s = t.ensure.Execute(conn, dialect_, keys); !s.ok()) return s;
  }
  auto stored = Read(conn, t, keys);
  if (!stored.ok()) return stored.status();

  // The rows whose sketches the batch changed, as stored bytes; values point into `bytes`.
  std::vector<std::string> bytes;
  std::vector<const PeopleKey*> changed;
  for (auto row = rows.first; row != rows.second; ++row) {
    const auto& [key, sketches] = *row;
    auto it = stored->find(key);
    const PeopleSketches* out = &sketches;
    if (it != stored->end()) {
      if (!it->second.Merge(sketches)) continue;  // nothing new: nothing written
      out = &it->second;
    }
    for (const sketch::HyperLogLog* h :
         {&out->users, &out->sessions, &out->viewing, &out->carting, &out->buying}) {
      bytes.push_back(h->Serialize());
    }
    changed.push_back(&key);
  }

  // Written back in statements of bounded size.
  std::vector<SqlValue> values;
  size_t statement_bytes = 0;
  auto flush = [&]() -> Status {
    Status s = t.store.Execute(conn, dialect_, values);
    values.clear();
    statement_bytes = 0;
    return s;
  };
  for (size_t i = 0; i < changed.size(); ++i) {
    size_t row_bytes = 0;
    for (size_t c = 0; c < kPeopleSketchColumns; ++c) {
      row_bytes += bytes[i * kPeopleSketchColumns + c].size();
    }
    if (!values.empty() && statement_bytes + row_bytes > kMaxStatementBytes) {
      if (Status s = flush(); !s.ok()) return s;
    }
    AppendKey(*changed[i], has_bucket, &values);
    for (size_t c = 0; c < kPeopleSketchColumns; ++c) {
      const std::string& b = bytes[i * kPeopleSketchColumns + c];
      values.push_back(b.empty() ? SqlValue() : SqlValue(SqlBlob{b}));
    }
    statement_bytes += row_bytes;
  }
  if (!values.empty()) return flush();
  return Status::Ok();
}

}  // namespace shopstream::sql
