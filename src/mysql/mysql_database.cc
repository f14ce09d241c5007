#include "mysql/mysql_database.h"

#include <atomic>
#include <string>
#include <vector>

#include "common/log.h"
#include "common/uri.h"
#include "mysql/mysql_dialect.h"
#include "mysql/mysql_failover.h"
#include "sql/client_connection.h"
#include "sql/new_rows.h"
#include "sql/tsv.h"

namespace shopstream::mysql {
namespace {

// The name LOAD DATA LOCAL gives; the client feeds the batch from memory for it, no file.
constexpr std::string_view kLoadFileName = "batch";
// Measured on MariaDB 10.11 (bench/run stores): the server's CPU per row grows with the
// placeholders of a prepared INSERT; 64 rows (512 values) cost about half of 256 per row.
constexpr size_t kRowsPerInsert = 64;
// A node of several that stops answering (SIGSTOP, a frozen VM) keeps its TCP connections
// open, so only the client's read/write timeout notices it; the default 60 s stalled the
// store for a minute. A writing store with other nodes to go to gives up after this long
// and runs the batch again on another node. Its transaction either reached the group before
// the node stopped (the others commit it; the stored ids and offsets make the rerun add
// nothing) or it did not (the node is out of the primary component when it wakes, and cannot
// commit it). A statement that really takes longer (another processor's schema lock) is
// retried.
constexpr unsigned kFailoverIoTimeoutSeconds = 10;
// How long a statement that fills a new rollup of a large store may take (ExecLong): 1.8M rows
// of rollup_hour_brand into the block tables took over a minute on MariaDB at 10M events.
constexpr unsigned kLongStatementTimeoutSeconds = 6 * 3600;

std::string Describe(const mysql::MysqlTarget& t) {
  if (t.hosts.size() > 1) {
    std::string hosts;
    for (const auto& h : t.hosts) {
      hosts += (hosts.empty() ? "" : ",") + h.host + (h.port ? ":" + std::to_string(h.port) : "");
    }
    return "mysql://" + (t.options.user.empty() ? "" : t.options.user + "@") + hosts + "/" +
           t.options.database;
  }
  return ServerUri("mysql", t.options.user, t.options.host, t.options.port, t.options.database);
}

// One connection and its bulk path: the slow path's statements and LOAD DATA's buffer. Members
// go before the base's connection, so the statements close first.
class MysqlSession final
    : public sql::ClientSqlConnection<mysql::Connection, mysql::Statement, sql::SqlSession> {
 public:
  MysqlSession(std::unique_ptr<mysql::Connection> conn, const std::string& table,
               const MysqlDialect& dialect, std::atomic<bool>* bulk_enabled,
               std::atomic<size_t>* back_to_first, const mysql::MysqlTarget* target,
               std::atomic<size_t>* next_host)
      : ClientSqlConnection(std::move(conn)),
        table_(table),
        dialect_(dialect),
        statements_(table, dialect, kRowsPerInsert),
        load_rows_sql_("LOAD DATA LOCAL INFILE '" + std::string(kLoadFileName) + "' INTO TABLE " +
                       dialect.Quote(table) +
                       " CHARACTER SET utf8mb4 FIELDS TERMINATED BY '\\t' ESCAPED BY '\\\\'"
                       " LINES TERMINATED BY '\\n'"
                       " (id, event_time, event_type, department, product, brand, price, revenue)"),
        bulk_enabled_(bulk_enabled),
        back_to_first_(back_to_first),
        target_(target),
        next_host_(next_host) {}

  // A writer that failed over to a later node goes back to the first one at its first write
  // conflict: while two processors write through different Galera nodes, the one with the
  // longer transaction loses certification again and again (a chaos run saw 22 retries in
  // 187 s); through one node the same overlap is only a row lock wait. The store asks after
  // every failure, and connects again when the answer is no.
  bool healthy() const override {
    if (back_to_first_ && mysql::IsWriteConflict(client().last_error())) {
      back_to_first_->store(0);
      return false;
    }
    return ClientSqlConnection::healthy();
  }

  Result<std::vector<const CleanedEvent*>> InsertNewRows(
      const std::vector<const CleanedEvent*>& rows) override {
    return sql::InsertNewRows(
        *this, dialect_, rows, statements_, [&] { return BulkLoad(rows); },
        [&](const Status&) { return mysql::IsDuplicateKey(client().last_error()); });
  }

  // The client gives up on an answer after its I/O timeout (60 s, 10 s with failover), which a
  // rollup filled from a large store outlasts: such a statement runs on a connection of its own
  // that waits for it, committed on its own (MySQL commits DDL at once: the tables it fills are
  // already made).
  Status ExecLong(const std::string& sql, const std::string& what) override {
    mysql::MysqlTarget patient = *target_;
    patient.options.io_timeout_seconds = kLongStatementTimeoutSeconds;
    patient.options.local_infile = false;
    auto conn = mysql::OpenAnyNode(patient, *next_host_);
    if (!conn.ok()) return conn.status();
    return AdaptMysql(std::move(conn).value())->Exec(sql, what);
  }

  // MariaDB and MySQL 8 name their exact (binary, no-pad) utf8mb4 collations differently.
  std::string ServerTableOptions() const override {
    const bool mariadb = client().server_version().find("MariaDB") != std::string::npos;
    return std::string(" COLLATE=") + (mariadb ? "utf8mb4_nopad_bin" : "utf8mb4_0900_bin");
  }

 private:
  // Every row in one LOAD DATA LOCAL fed from memory. kUndo when the server skipped or changed
  // something (LOCAL implies IGNORE: a stored id or a converted value is only a warning), so
  // that the prepared statements' strict mode names it.
  Result<sql::BulkOutcome> BulkLoad(const std::vector<const CleanedEvent*>& rows) {
    if (!*bulk_enabled_) return sql::BulkOutcome::kNotAvailable;
    bulk_data_.clear();
    for (const CleanedEvent* row : rows) {
      if (!sql::AppendTsvRow(*row, &bulk_data_)) return sql::BulkOutcome::kNotAvailable;
    }
    unsigned warnings = 0;
    auto loaded = client().LoadLocalData(load_rows_sql_, kLoadFileName, bulk_data_, &warnings,
                                         "loading rows into " + table_);
    if (!loaded.ok()) {
      if (!mysql::IsLocalInfileRefused(client().last_error())) return loaded.status();
      LogWarn("the server refuses LOAD DATA LOCAL (" + loaded.status().message() +
              "); inserting with prepared statements instead");
      *bulk_enabled_ = false;
      return sql::BulkOutcome::kNotAvailable;
    }
    return loaded.value() == rows.size() && warnings == 0 ? sql::BulkOutcome::kInserted
                                                          : sql::BulkOutcome::kUndo;
  }

  const std::string& table_;
  const MysqlDialect& dialect_;
  sql::NewRowStatements statements_;
  const std::string load_rows_sql_;
  std::atomic<bool>* bulk_enabled_;     // the database's: a server that refused is not asked again
  std::string bulk_data_;               // reused between batches
  std::atomic<size_t>* back_to_first_;  // a writer on a later node: the database's next node
  const mysql::MysqlTarget* target_;    // the database's, for ExecLong
  std::atomic<size_t>* next_host_;      // the database's
};

class MysqlDatabase final : public sql::SqlDatabase {
 public:
  MysqlDatabase(mysql::MysqlTarget target, bool for_writing)
      : target_(std::move(target)), describe_(Describe(target_)), for_writing_(for_writing) {
    target_.options.local_infile = for_writing;
    if (for_writing && target_.hosts.size() > 1) {
      target_.options.io_timeout_seconds = kFailoverIoTimeoutSeconds;
    }
  }

  Result<std::unique_ptr<sql::SqlSession>> Connect() override {
    // A writer starts at the first node and, after losing a node, tries the ones after it
    // first (a paused node would hold each attempt for the connect timeout); it goes back
    // to the first at a write conflict (MysqlSession::healthy).
    size_t used = 0;
    auto conn = mysql::OpenAnyNode(target_, next_host_, &used);
    if (!conn.ok()) return conn.status();
    return std::unique_ptr<sql::SqlSession>(
        new MysqlSession(std::move(conn).value(), target_.table, dialect_, &bulk_enabled_,
                         for_writing_ && used > 0 ? &next_host_ : nullptr, &target_, &next_host_));
  }
  const sql::Dialect& dialect() const override { return dialect_; }
  const std::string& rows_table() const override { return target_.table; }
  const std::string& describe() const override { return describe_; }

 private:
  mysql::MysqlTarget target_;
  std::atomic<size_t> next_host_{0};  // where the next connection starts looking
  const std::string describe_;
  const bool for_writing_;
  const MysqlDialect dialect_;
  std::atomic<bool> bulk_enabled_{true};  // until the server refuses LOAD DATA LOCAL
};

}  // namespace

std::unique_ptr<sql::SqlConnection> AdaptMysql(std::unique_ptr<mysql::Connection> conn) {
  return std::make_unique<sql::ClientSqlConnection<mysql::Connection, mysql::Statement>>(
      std::move(conn));
}

std::unique_ptr<sql::SqlDatabase> MakeMysqlDatabase(mysql::MysqlTarget target, bool for_writing) {
  return std::make_unique<MysqlDatabase>(std::move(target), for_writing);
}

}  // namespace shopstream::mysql
