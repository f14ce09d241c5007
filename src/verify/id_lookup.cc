#include "verify/id_lookup.h"

#include <algorithm>
#include <cctype>
#include <map>

#include "cassandra/cassandra_options.h"
#include "cassandra/codec.h"
#include "cassandra/session.h"
#include "cassandra/types.h"
#include "common/uri.h"
#include "endpoints/open_store.h"
#include "sql/sql_database.h"

namespace shopstream::verify {
namespace {

// Ids per query: few round trips, and within every database's limit on placeholders.
constexpr size_t kSqlIdsPerQuery = 500;
constexpr size_t kCqlIdsPerQuery = 100;

class SqlIdLookup : public IdLookup {
 public:
  SqlIdLookup(std::shared_ptr<sql::SqlDatabase> db, std::unique_ptr<sql::SqlConnection> conn,
              std::string table)
      : db_(std::move(db)), conn_(std::move(conn)), table_(std::move(table)) {}

  Result<std::unordered_set<std::string>> Present(const std::vector<std::string>& ids) override {
    std::unordered_set<std::string> found;
    for (size_t at = 0; at < ids.size(); at += kSqlIdsPerQuery) {
      const size_t n = std::min(kSqlIdsPerQuery, ids.size() - at);
      auto statement = StatementFor(n);
      if (!statement.ok()) return statement.status();
      std::vector<SqlValue> values;
      for (size_t i = 0; i < n; ++i) values.push_back(std::string_view(ids[at + i]));
      auto rows = (*statement)->Query(values);
      if (!rows.ok()) return rows.status();
      for (auto& row : *rows) {
        if (!row.empty() && row[0]) found.insert(std::move(*row[0]));
      }
    }
    return found;
  }

  std::string describe() const override { return db_->describe() + " table " + table_; }

 private:
  Result<sql::SqlStatement*> StatementFor(size_t n) {
    auto it = statements_.find(n);
    if (it != statements_.end()) return it->second.get();
    const sql::Dialect& d = db_->dialect();
    std::string text = "SELECT " + d.Quote("id") + " FROM " + d.Quote(table_) + " WHERE " +
                       d.Quote("id") + " IN (";
    for (size_t i = 0; i < n; ++i) text += (i ? ", " : "") + d.Placeholder(i);
    text += ")";
    auto prepared = conn_->Prepare(text, "reading ids from " + table_);
    if (!prepared.ok()) return prepared.status();
    return (statements_[n] = std::move(prepared).value()).get();
  }

  std::shared_ptr<sql::SqlDatabase> db_;
  std::unique_ptr<sql::SqlConnection> conn_;
  std::string table_;
  std::map<size_t, std::unique_ptr<sql::SqlStatement>> statements_;
};

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

class CqlIdLookup : public IdLookup {
 public:
  CqlIdLookup(std::unique_ptr<cassandra::Session> session, cassandra::CassandraOptions options,
              cassandra::Prepared select)
      : session_(std::move(session)), options_(std::move(options)), select_(std::move(select)) {}

  Result<std::unordered_set<std::string>> Present(const std::vector<std::string>& ids) override {
    std::unordered_set<std::string> found;
    for (size_t at = 0; at < ids.size(); at += kCqlIdsPerQuery) {
      std::vector<cassandra::Value> values;
      for (size_t i = 0; i < kCqlIdsPerQuery; ++i) {
        // The last chunk repeats its first id to fill the statement's placeholders.
        const std::string& id = ids[at + i < ids.size() ? at + i : at];
        auto uuid = cassandra::ParseUuid(id);
        // An id that is not a UUID cannot be a row of this table: a harmless stand-in.
        values.push_back(cassandra::UuidValue(uuid ? *uuid : cassandra::Uuid{}));
      }
      auto result = session_->Execute(select_, std::move(values), options_.consistency,
                                      /*idempotent=*/true);
      if (!result.ok()) return result.status();
      for (const auto& row : result->rows) {
        if (!row.empty() && row[0] && !result->metadata.columns.empty()) {
          found.insert(cassandra::FormatValue(result->metadata.columns[0].type, *row[0]));
        }
      }
    }
    // Cassandra prints UUIDs in lower case; the messages' ids are compared the same way.
    std::unordered_set<std::string> present;
    for (const std::string& id : ids) {
      if (found.contains(Lower(id))) present.insert(id);
    }
    return present;
  }

  std::string describe() const override {
    return "cassandra table " + options_.keyspace + "." + options_.table;
  }

 private:
  std::unique_ptr<cassandra::Session> session_;
  cassandra::CassandraOptions options_;
  cassandra::Prepared select_;
};

Result<std::unique_ptr<IdLookup>> OpenSqliteRaw(const Uri& uri) {
  if (Status s = uri.CheckParams({}); !s.ok()) return s;
  auto db = endpoints::OpenSqlDatabaseForReading(uri.text);
  if (!db.ok()) return db.status();
  auto conn = (*db)->Connect();
  if (!conn.ok()) return conn.status();
  const std::string table = "raw_operations";
  auto exists = (*conn)->Prepare((*db)->dialect().TableExistsQuery(), "looking for " + table);
  if (!exists.ok()) return exists.status();
  const SqlValue name = std::string_view(table);
  auto rows = (*exists)->Query({&name, 1});
  if (!rows.ok()) return rows.status();
  if (rows->empty() || !(*rows)[0][0] || (*rows)[0][0] == "0") {
    return Status::InvalidArgument("raw store '" + uri.text + "' has no table " + table +
                                   " (not a shopstream raw store)");
  }
  exists->reset();
  return std::unique_ptr<IdLookup>(
      new SqlIdLookup(std::move(db).value(), std::move(conn).value(), table));
}

Result<std::unique_ptr<IdLookup>> OpenCassandraRaw(const Uri& uri) {
  auto options = cassandra::ParseCassandraUri(uri);
  if (!options.ok()) return options.status();
  auto session = cassandra::Session::Connect(options->session);
  if (!session.ok()) return session.status();
  auto check = (*session)->Prepare(
      "SELECT table_name FROM system_schema.tables WHERE keyspace_name = ? AND table_name = ?");
  if (!check.ok()) return check.status();
  auto rows = (*session)->Execute(
      *check, {cassandra::TextValue(options->keyspace), cassandra::TextValue(options->table)},
      cassandra::Consistency::kOne, /*idempotent=*/true);
  if (!rows.ok()) return rows.status();
  if (rows->rows.empty()) {
    return Status::InvalidArgument("raw store '" + uri.text + "' has no table " +
                                   options->keyspace + "." + options->table +
                                   " (not a shopstream raw store)");
  }
  std::string text =
      "SELECT id FROM " + options->keyspace + "." + options->table + " WHERE id IN (";
  for (size_t i = 0; i < kCqlIdsPerQuery; ++i) text += i ? ", ?" : "?";
  text += ")";
  auto select = (*session)->Prepare(text);
  if (!select.ok()) return select.status();
  return std::unique_ptr<IdLookup>(new CqlIdLookup(
      std::move(session).value(), std::move(options).value(), std::move(select).value()));
}

}  // namespace

Result<std::unique_ptr<IdLookup>> OpenRawLookup(const std::string& text) {
  auto uri = ParseUri(text);
  if (!uri.ok()) return uri.status();
  if (uri->scheme == "sqlite") return OpenSqliteRaw(*uri);
  if (uri->scheme == "cassandra") return OpenCassandraRaw(*uri);
  return Status::InvalidArgument("'" + uri->text + "': verify reads sqlite:// and cassandra:// " +
                                 "raw stores, not " + uri->scheme + "://");
}

Result<std::unique_ptr<IdLookup>> OpenRowsLookup(std::shared_ptr<sql::SqlDatabase> db) {
  auto conn = db->Connect();
  if (!conn.ok()) return conn.status();
  std::string table = db->rows_table();
  return std::unique_ptr<IdLookup>(
      new SqlIdLookup(std::move(db), std::move(conn).value(), std::move(table)));
}

}  // namespace shopstream::verify
