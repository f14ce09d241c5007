// A thin layer over MariaDB Connector/C: a connection whose errors come back as Status values
// (Unavailable when a retry can help), and prepared statements whose every value is bound.
// Not thread-safe: one Connection per thread.
#pragma once

#include <mysql.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/sql_value.h"
#include "common/status.h"

namespace shopstream::mysql {

// How to reach the server. The password comes from `password` (the environment) or from the
// option file; never from a URI or argv.
struct ConnectOptions {
  std::string host;  // "" means the option file's or the client library's default
  int port = 0;      // 0 means the option file's or 3306
  std::string user;  // "" means the option file's
  std::string database;
  std::optional<std::string> password;
  std::string option_file;  // read with MYSQL_OPT_READ_DEFAULT_FILE, group [client]
  unsigned connect_timeout_seconds = 5;
  unsigned io_timeout_seconds = 60;
  // Announce LOAD DATA LOCAL to the server (the processed store's bulk path). Either way the
  // connection answers a server's file request only with the buffer LoadLocalData is sending
  // at that moment, for the file name in its own statement, and never opens a local file.
  bool local_infile = false;
};

// A bound parameter (NULL, an integer, a double, text or bytes) and a fetched row (each column
// as text, nullopt for NULL): common/sql_value.h.
using Value = SqlValue;
using Blob = SqlBlob;
using Row = SqlRow;

class Connection;
struct LocalInfile;

class Statement {
 public:
  Statement() = default;
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&& other) noexcept;
  ~Statement();

  // Runs the statement with `params` (exactly as many as it has placeholders).
  Status Execute(std::span<const Value> params);
  // Runs a query and returns all of its rows.
  Result<std::vector<Row>> Query(std::span<const Value> params);
  // Rows changed by the last Execute.
  uint64_t affected_rows() const;
  bool valid() const { return stmt_ != nullptr; }

 private:
  friend class Connection;
  struct LocalInfile;
  Statement(Connection* conn, MYSQL_STMT* stmt, std::string what)
      : conn_(conn), stmt_(stmt), what_(std::move(what)) {}

  Connection* conn_ = nullptr;
  MYSQL_STMT* stmt_ = nullptr;
  std::string what_;  // names the statement in messages
};

class Connection {
 public:
  // Connects, with utf8mb4 and a strict SQL mode so that bad values fail instead of being
  // silently changed.
  static Result<std::unique_ptr<Connection>> Open(const ConnectOptions& options);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Runs SQL that has no values in it (DDL, transaction control).
  Status Exec(const std::string& sql, const std::string& what);
  // `what` names the statement in error messages.
  Result<Statement> Prepare(const std::string& sql, const std::string& what);
  // Runs `sql`, a LOAD DATA LOCAL INFILE statement naming `file_name`, feeding it `data`
  // from memory instead of a file (no file is ever opened). Values travel as data, apart from
  // the SQL, like bound values. Returns the rows inserted and sets `*warnings` to the
  // server's warning count (LOCAL implies IGNORE: skipped duplicates are warnings).
  // REQUIRES: options().local_infile.
  Result<uint64_t> LoadLocalData(const std::string& sql, std::string_view file_name,
                                 std::string_view data, unsigned* warnings,
                                 const std::string& what);

  // False once a statement failed because the connection is gone; open a new one then.
  bool healthy() const { return healthy_; }
  // Classifies the last error of this connection (or of `stmt`) into a Status.
  Status Error(const std::string& what, MYSQL_STMT* stmt = nullptr);
  // The server's or client's number for the last error that Error() reported.
  unsigned last_error() const { return last_error_; }

  const ConnectOptions& options() const { return options_; }
  // The server's version text, e.g. "10.11.19-MariaDB-0+deb12u1".
  std::string server_version() const { return mysql_get_server_info(handle_); }

 private:
  Connection(MYSQL* handle, ConnectOptions options)
      : handle_(handle), options_(std::move(options)) {}
  friend struct LocalInfile;  // the client library's callbacks for LOAD DATA LOCAL
  MYSQL* handle_;
  // While LoadLocalData runs: the file name its statement gives and the bytes left to send.
  // Outside it, a server's request for a local file is refused.
  std::optional<std::string_view> loading_name_;
  std::string_view loading_data_;
  ConnectOptions options_;
  bool healthy_ = true;
  unsigned last_error_ = 0;
};

// Maps a server or client error number to a Status code: connection losses, lock waits and
// deadlocks are retryable; access and input errors are the caller's; the rest is internal.
StatusCode ClassifyError(unsigned error_number);

// True for errors after which the connection cannot be used again.
bool IsConnectionLost(unsigned error_number);

// True for a duplicate key (ER_DUP_ENTRY).
bool IsDuplicateKey(unsigned error_number);

// True for a transaction rolled back for another's sake: an InnoDB deadlock, or Galera's
// certification conflict with a transaction written through another node (both ER_LOCK_DEADLOCK).
bool IsWriteConflict(unsigned error_number);

// True when the server or the client does not allow LOAD DATA LOCAL.
bool IsLocalInfileRefused(unsigned error_number);

// Quotes a MariaDB identifier (database, table) after checking that it is a plain name:
// identifiers cannot be bound, so only [A-Za-z0-9_$] is accepted.
Result<std::string> QuoteIdentifier(std::string_view name);

}  // namespace shopstream::mysql
