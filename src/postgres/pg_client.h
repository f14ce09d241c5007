// A thin layer over libpq (Debian libpq-dev): a connection whose errors come back as Status
// values classified by SQLSTATE (Unavailable when a retry can help, RefusedValue for a value
// the server refused), prepared statements whose every value is bound, and COPY FROM STDIN fed
// from memory. Not thread-safe: one Connection per thread.
#pragma once

#include <libpq-fe.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/sql_value.h"
#include "common/status.h"

namespace shopstream::postgres {

// How to reach the server. The password comes from `password` (the environment) or libpq's
// own password file (PGPASSFILE, ~/.pgpass); never from a URI or argv.
struct ConnectOptions {
  std::string host;  // "" means libpq's default (a local socket)
  int port = 0;      // 0 means 5432
  std::string user;
  std::string database;
  std::string schema;  // the search_path of the session: every table lives there
  std::optional<std::string> password;
  unsigned connect_timeout_seconds = 5;
  unsigned io_timeout_seconds = 60;  // a server that stops answering mid-query
};

class Connection;

class Statement {
 public:
  // Runs the statement with exactly as many values as it has placeholders ($1, $2, ...).
  Status Execute(std::span<const SqlValue> params);
  // Runs a query and returns all of its rows, every column as text.
  Result<std::vector<SqlRow>> Query(std::span<const SqlValue> params);
  // Rows the last Execute inserted, changed or deleted.
  int64_t affected_rows() const { return affected_rows_; }

 private:
  friend class Connection;
  Statement(Connection* conn, std::string name, int params, std::string what)
      : conn_(conn), name_(std::move(name)), params_(params), what_(std::move(what)) {}
  Result<PGresult*> Run(std::span<const SqlValue> params);

  Connection* conn_;
  std::string name_;
  int params_;
  std::string what_;
  int64_t affected_rows_ = 0;
};

class Connection {
 public:
  // Connects in UTF-8, UTC and the options' schema.
  static Result<std::unique_ptr<Connection>> Open(const ConnectOptions& options);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Runs SQL that has no values in it (DDL, transaction control).
  Status Exec(const std::string& sql, const std::string& what);
  // `what` names the statement in error messages.
  Result<Statement> Prepare(const std::string& sql, const std::string& what);
  // Runs `copy_sql`, a COPY ... FROM STDIN, feeding it `data` from memory. Returns the rows
  // copied.
  Result<int64_t> CopyIn(const std::string& copy_sql, std::string_view data,
                         const std::string& what);

  // False once the connection is lost; open a new one then.
  bool healthy() const;
  // The SQLSTATE of the last error this connection reported ("23505": a duplicate key).
  const std::string& last_sqlstate() const { return last_sqlstate_; }
  // "postgres://user@host:port/database": names the server in messages, no secret.
  const std::string& where() const { return where_; }

 private:
  friend class Statement;
  Connection(PGconn* conn, std::string where) : conn_(conn), where_(std::move(where)) {}
  // The Status of a failed result (which it frees), classified by its SQLSTATE.
  Status Error(PGresult* result, const std::string& what);

  PGconn* conn_;
  std::string where_;
  std::string last_sqlstate_;
  int next_statement_ = 0;
};

// Maps a SQLSTATE to a Status code: connection losses, deadlocks, serialization failures and a
// server starting or stopping are retryable; data exceptions are refused values; access and
// missing objects are the caller's; the rest is internal.
StatusCode ClassifySqlState(std::string_view sqlstate);

// Quotes a PostgreSQL identifier after checking that it is a plain name (identifiers cannot
// be bound): [A-Za-z_][A-Za-z0-9_$]*, at most 63 bytes.
Result<std::string> QuoteIdentifier(std::string_view name);

}  // namespace shopstream::postgres
