#include "postgres/pg_client.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string_view>
#include <variant>

namespace shopstream::postgres {
namespace {

// PGresult freed on scope exit.
struct ResultGuard {
  PGresult* result;
  ~ResultGuard() { PQclear(result); }
};

std::string Describe(const ConnectOptions& o) {
  std::string where = "postgres://";
  if (!o.user.empty()) where += o.user + "@";
  where += o.host.empty() ? "localhost" : o.host;
  if (o.port > 0) where += ":" + std::to_string(o.port);
  return where + "/" + o.database + (o.schema.empty() ? "" : "." + o.schema);
}

// libpq's message of a failed connection as one line: its line breaks and the tabs that
// indent its hints become single spaces (a tab would show as \x09 in a log line).
std::string ConnectionMessage(PGconn* conn) {
  const std::string raw = conn ? PQerrorMessage(conn) : "out of memory";
  std::string message;
  for (char c : raw) {
    const bool space = c == '\n' || c == '\t' || c == '\r' || c == ' ';
    if (space && (message.empty() || message.back() == ' ')) continue;
    message += space ? ' ' : c;
  }
  while (!message.empty() && message.back() == ' ') message.pop_back();
  return message;
}

// A refused login or a database that does not exist will not go away by retrying.
bool IsConfigurationError(const std::string& message) {
  for (const char* marker : {"password authentication failed", "no password supplied",
                             "does not exist", "permission denied", "no pg_hba.conf entry"}) {
    if (message.find(marker) != std::string::npos) return true;
  }
  return false;
}

// Text form of each value (NUL-terminated, as libpq wants text parameters), bytes for blobs.
struct Params {
  std::vector<std::string> storage;
  std::vector<const char*> values;
  std::vector<int> lengths;
  std::vector<int> formats;

  explicit Params(std::span<const SqlValue> params)
      : storage(params.size()),
        values(params.size()),
        lengths(params.size()),
        formats(params.size()) {
    for (size_t i = 0; i < params.size(); ++i) {
      std::visit(
          [&](const auto& v) {
            using T = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<T, std::monostate>) {
              values[i] = nullptr;
              return;
            } else if constexpr (std::is_same_v<T, int64_t>) {
              storage[i] = std::to_string(v);
            } else if constexpr (std::is_same_v<T, double>) {
              char buf[32];
              std::snprintf(buf, sizeof buf, "%.17g", v);
              storage[i] = buf;
            } else if constexpr (std::is_same_v<T, std::string_view>) {
              storage[i].assign(v);
            } else {  // SqlBlob: bytea's binary form is the bytes themselves
              storage[i].assign(v.bytes);
              formats[i] = 1;
            }
            values[i] = storage[i].c_str();
            lengths[i] = static_cast<int>(storage[i].size());
          },
          params[i]);
    }
  }
};

}  // namespace

StatusCode ClassifySqlState(std::string_view state) {
  if (state.size() != 5) return StatusCode::kInternal;
  const std::string_view klass = state.substr(0, 2);
  if (klass == "08" || klass == "53" || klass == "57" || state == "40001" || state == "40P01" ||
      state == "55P03") {
    return StatusCode::kUnavailable;  // connection, resources, shutdown, deadlock, lock
  }
  if (klass == "22" || state == "23502" || state == "23514") return StatusCode::kRefusedValue;
  if (klass == "28" || klass == "3D" || klass == "3F" || state == "42501" || state == "42P01") {
    return StatusCode::kInvalidArgument;
  }
  return StatusCode::kInternal;
}

Result<std::string> QuoteIdentifier(std::string_view name) {
  const bool plain = !name.empty() && name.size() <= 63 && !(name[0] >= '0' && name[0] <= '9') &&
                     name[0] != '$' && std::all_of(name.begin(), name.end(), [](char c) {
                       return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                              (c >= '0' && c <= '9') || c == '_' || c == '$';
                     });
  if (!plain) {
    return Status::InvalidArgument(std::string("'").append(name) +
                                   "' is not a plain PostgreSQL name (a letter or _, then letters, "
                                   "digits, _ and $; at most 63 characters)");
  }
  return "\"" + std::string(name) + "\"";
}

Result<std::unique_ptr<Connection>> Connection::Open(const ConnectOptions& options) {
  const std::string where = Describe(options);
  const std::string port = std::to_string(options.port > 0 ? options.port : 5432);
  const std::string connect_timeout = std::to_string(options.connect_timeout_seconds);
  const std::string user_timeout = std::to_string(options.io_timeout_seconds * 1000);
  std::vector<const char*> keys, values;
  std::vector<std::string> storage;
  storage.reserve(16);  // values point into it: no reallocation
  auto add = [&](const char* key, std::string value) {
    if (value.empty()) return;
    keys.push_back(key);
    values.push_back(storage.emplace_back(std::move(value)).c_str());
  };
  add("host", options.host);
  add("port", port);
  add("user", options.user);
  add("dbname", options.database);
  if (options.password) add("password", *options.password);
  add("connect_timeout", connect_timeout);
  add("tcp_user_timeout", user_timeout);
  add("keepalives", "1");
  add("keepalives_idle", "30");
  add("client_encoding", "UTF8");
  add("application_name", "shopstream");
  keys.push_back(nullptr);
  values.push_back(nullptr);
  PGconn* conn = PQconnectdbParams(keys.data(), values.data(), 0);
  if (conn == nullptr || PQstatus(conn) != CONNECTION_OK) {
    std::string message = ConnectionMessage(conn);
    PQfinish(conn);
    message = where + ": cannot connect: " + message;
    return IsConfigurationError(message) ? Status::InvalidArgument(message)
                                         : Status::Unavailable(message);
  }
  std::unique_ptr<Connection> out(new Connection(conn, where));
  // No NOTICE lines on stderr ("relation ... already exists, skipping" on every start): libpq
  // prints them itself, around a command's one-line messages.
  std::string setup = "SET TIME ZONE 'UTC'; SET client_min_messages TO warning";
  if (!options.schema.empty()) {
    auto schema = QuoteIdentifier(options.schema);
    if (!schema.ok()) return schema.status();
    setup += "; SET search_path TO " + *schema;
  }
  if (Status s = out->Exec(setup, "session setup"); !s.ok()) return s;
  return out;
}

Connection::~Connection() { PQfinish(conn_); }

bool Connection::healthy() const { return PQstatus(conn_) == CONNECTION_OK; }

Status Connection::Error(PGresult* result, const std::string& what) {
  const char* state = result ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  last_sqlstate_ = state ? state : "";
  std::string message = result ? PQresultErrorMessage(result) : PQerrorMessage(conn_);
  PQclear(result);
  std::replace(message.begin(), message.end(), '\n', ' ');
  while (!message.empty() && message.back() == ' ') message.pop_back();
  message = where_ + ": " + what + ": " + message;
  if (last_sqlstate_.empty()) message += healthy() ? "" : " (connection lost)";
  // No SQLSTATE: libpq's own failure, which means the connection.
  const StatusCode code =
      last_sqlstate_.empty() ? StatusCode::kUnavailable : ClassifySqlState(last_sqlstate_);
  if (!last_sqlstate_.empty()) message += " (SQLSTATE " + last_sqlstate_ + ")";
  return Status::FromCode(code, std::move(message));
}

Status Connection::Exec(const std::string& sql, const std::string& what) {
  PGresult* result = PQexec(conn_, sql.c_str());
  const ExecStatusType status = PQresultStatus(result);
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) return Error(result, what);
  // PostgreSQL answers COMMIT in a transaction that met an error with success and the tag
  // ROLLBACK: everything in it is gone, which the caller must hear as a failure.
  const bool rolled_back = sql == "COMMIT" && std::string_view(PQcmdStatus(result)) == "ROLLBACK";
  PQclear(result);
  if (rolled_back) {
    return Status::Unavailable(where_ + ": " + what +
                               ": the server rolled the transaction back instead");
  }
  return Status::Ok();
}

Result<Statement> Connection::Prepare(const std::string& sql, const std::string& what) {
  std::string name = "s" + std::to_string(next_statement_++);
  PGresult* result = PQprepare(conn_, name.c_str(), sql.c_str(), 0, nullptr);
  if (PQresultStatus(result) != PGRES_COMMAND_OK) return Error(result, "preparing " + what);
  PQclear(result);
  PGresult* described = PQdescribePrepared(conn_, name.c_str());
  if (PQresultStatus(described) != PGRES_COMMAND_OK) return Error(described, "preparing " + what);
  const int params = PQnparams(described);
  PQclear(described);
  return Statement(this, std::move(name), params, what);
}

Result<int64_t> Connection::CopyIn(const std::string& copy_sql, std::string_view data,
                                   const std::string& what) {
  PGresult* start = PQexec(conn_, copy_sql.c_str());
  if (PQresultStatus(start) != PGRES_COPY_IN) return Error(start, what);
  PQclear(start);
  constexpr size_t kChunk = 1 << 20;
  for (size_t at = 0; at < data.size(); at += kChunk) {
    const size_t n = std::min(kChunk, data.size() - at);
    if (PQputCopyData(conn_, data.data() + at, static_cast<int>(n)) != 1) {
      return Error(nullptr, what);
    }
  }
  if (PQputCopyEnd(conn_, nullptr) != 1) return Error(nullptr, what);
  PGresult* result = PQgetResult(conn_);
  if (PQresultStatus(result) != PGRES_COMMAND_OK) {
    Status s = Error(result, what);
    while (PGresult* more = PQgetResult(conn_)) PQclear(more);
    return s;
  }
  const int64_t rows = std::strtoll(PQcmdTuples(result), nullptr, 10);
  PQclear(result);
  while (PGresult* more = PQgetResult(conn_)) PQclear(more);
  return rows;
}

Result<PGresult*> Statement::Run(std::span<const SqlValue> params) {
  if (static_cast<int>(params.size()) != params_) {
    return Status::Internal(what_ + ": " + std::to_string(params.size()) + " values for " +
                            std::to_string(params_) + " placeholders");
  }
  Params bound(params);
  PGresult* result = PQexecPrepared(conn_->conn_, name_.c_str(), params_, bound.values.data(),
                                    bound.lengths.data(), bound.formats.data(), /*resultFormat=*/0);
  const ExecStatusType status = PQresultStatus(result);
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) return conn_->Error(result, what_);
  return result;
}

Status Statement::Execute(std::span<const SqlValue> params) {
  auto result = Run(params);
  if (!result.ok()) return result.status();
  ResultGuard guard{*result};
  affected_rows_ = std::strtoll(PQcmdTuples(*result), nullptr, 10);
  return Status::Ok();
}

Result<std::vector<SqlRow>> Statement::Query(std::span<const SqlValue> params) {
  auto result = Run(params);
  if (!result.ok()) return result.status();
  ResultGuard guard{*result};
  const int rows = PQntuples(*result), columns = PQnfields(*result);
  std::vector<SqlRow> out(static_cast<size_t>(rows));
  for (int r = 0; r < rows; ++r) {
    SqlRow& row = out[static_cast<size_t>(r)];
    row.reserve(static_cast<size_t>(columns));
    for (int c = 0; c < columns; ++c) {
      if (PQgetisnull(*result, r, c)) {
        row.emplace_back(std::nullopt);
      } else {
        row.emplace_back(std::string(PQgetvalue(*result, r, c),
                                     static_cast<size_t>(PQgetlength(*result, r, c))));
      }
    }
  }
  return out;
}

}  // namespace shopstream::postgres
