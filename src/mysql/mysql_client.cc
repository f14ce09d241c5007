#include "mysql/mysql_client.h"

#include <errmsg.h>
#include <mysqld_error.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <mutex>

#include "common/log.h"
#include "common/text.h"

namespace shopstream::mysql {
namespace {

std::string Describe(const ConnectOptions& o) {
  std::string where = "mysql://";
  if (!o.user.empty()) where += o.user + "@";
  where += o.host.empty() ? "(option file host)" : o.host;
  if (o.port != 0) where.append(":").append(std::to_string(o.port));
  return where + "/" + o.database;
}

// The client library must be initialised once per process before threads use it.
void InitLibraryOnce() {
  static std::once_flag once;
  std::call_once(once, [] { mysql_library_init(0, nullptr, nullptr); });
}

// Session settings: bad values fail loudly instead of being truncated or zeroed, and
// DATETIME values are taken as UTC like the rest of the project.
constexpr const char* kSessionSetup =
    "SET SESSION sql_mode = 'STRICT_ALL_TABLES,NO_ZERO_IN_DATE,NO_ZERO_DATE,"
    "ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION', time_zone = '+00:00'";

}  // namespace

bool IsConnectionLost(unsigned error_number) {
  switch (error_number) {
    case CR_CONNECTION_ERROR:
    case CR_CONN_HOST_ERROR:
    case CR_UNKNOWN_HOST:
    case CR_SERVER_GONE_ERROR:
    case CR_SERVER_LOST:
    case CR_SERVER_LOST_EXTENDED:
    case CR_COMMANDS_OUT_OF_SYNC:
    case CR_SERVER_HANDSHAKE_ERR:
    case CR_ERR_NET_READ:
    case CR_ERR_NET_WRITE:
    case ER_SERVER_SHUTDOWN:
    case ER_CONNECTION_KILLED:
    case ER_NET_READ_ERROR:
    case ER_NET_READ_INTERRUPTED:
    case ER_NET_WRITE_INTERRUPTED:
    case ER_NEW_ABORTING_CONNECTION:
    // Galera's "WSREP has not yet prepared node for application use": the node left the
    // primary component; the connection is dropped so that the next one finds another node.
    case ER_UNKNOWN_COM_ERROR:
    // Galera's COMMIT on a node that lost the primary component meanwhile ("Not connected to
    // Primary Component"): the transaction was not replicated, and the node takes no more
    // writes until it rejoins. Running the batch again on another node is the cure; if the
    // commit did land, the stored ids and offsets make the rerun add nothing.
    case ER_ERROR_DURING_COMMIT:
      return true;
    default:
      return false;
  }
}

StatusCode ClassifyError(unsigned error_number) {
  if (error_number == CR_COMMANDS_OUT_OF_SYNC) return StatusCode::kInternal;
  if (IsConnectionLost(error_number)) return StatusCode::kUnavailable;
  switch (error_number) {
    case ER_CON_COUNT_ERROR:  // too many connections: the server is busy, not gone
    case ER_OUT_OF_RESOURCES:
    case ER_CANT_CREATE_THREAD:
    case ER_LOCK_WAIT_TIMEOUT:
    case ER_LOCK_DEADLOCK:  // the transaction was rolled back; running it again is the cure
    case ER_QUERY_INTERRUPTED:
      return StatusCode::kUnavailable;
    case ER_ACCESS_DENIED_ERROR:
    case ER_DBACCESS_DENIED_ERROR:
    case ER_TABLEACCESS_DENIED_ERROR:
    case ER_BAD_DB_ERROR:
    case ER_NO_SUCH_TABLE:
      return StatusCode::kInvalidArgument;
    // A value of the data that a column cannot hold (strict mode): the row is bad, not the
    // store; the processor finds it and dead-letters it.
    case ER_BAD_NULL_ERROR:
    case ER_DATA_TOO_LONG:
    case ER_TRUNCATED_WRONG_VALUE:
    case ER_TRUNCATED_WRONG_VALUE_FOR_FIELD:
    case ER_WARN_DATA_OUT_OF_RANGE:
    case WARN_DATA_TRUNCATED:
    case ER_INVALID_CHARACTER_STRING:
    // A CHECK constraint the store's operator added refuses the row's value.
    case ER_CONSTRAINT_FAILED:
      return StatusCode::kRefusedValue;
    default:
      return StatusCode::kInternal;
  }
}

bool IsDuplicateKey(unsigned error_number) { return error_number == ER_DUP_ENTRY; }

bool IsWriteConflict(unsigned error_number) { return error_number == ER_LOCK_DEADLOCK; }

bool IsLocalInfileRefused(unsigned error_number) {
  return error_number == ER_NOT_ALLOWED_COMMAND ||
         error_number == ER_LOAD_INFILE_CAPABILITY_DISABLED;
}

Result<std::string> QuoteIdentifier(std::string_view name) {
  const bool plain =
      !name.empty() && name.size() <= 64 && std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '_' || c == '$';
      });
  if (!plain) {
    return Status::InvalidArgument(std::string("'").append(name) +
                                   "' is not a plain MySQL name (letters, digits, _ and $, at "
                                   "most 64 characters)");
  }
  std::string quoted = "`";
  quoted.append(name).append("`");
  return quoted;
}

// ---------------------------------------------------------------------------------------------

// The client library's callbacks for LOAD DATA LOCAL. A server may ask for a local file at
// any time (a rogue or compromised one, to read /etc/passwd); these answer only while
// LoadLocalData runs, only for the name in its statement, and only with its buffer.
struct LocalInfile {
  static int Init(void** state, const char* file_name, void* userdata) {
    auto* conn = static_cast<Connection*>(userdata);
    const bool expected = conn->loading_name_ && file_name != nullptr &&
                          std::string_view(file_name) == *conn->loading_name_;
    *state = expected ? conn : nullptr;
    if (!expected) {
      LogWarn(Describe(conn->options_) + " asked for the local file " +
              QuoteValue(file_name ? file_name : "", 200) +
              "; refused (shopstream sends no files)");
    }
    return expected ? 0 : 1;
  }
  static int Read(void* state, char* buffer, unsigned int length) {
    if (state == nullptr) return -1;
    auto* conn = static_cast<Connection*>(state);
    const size_t n = std::min<size_t>(length, conn->loading_data_.size());
    if (n > 0) std::memcpy(buffer, conn->loading_data_.data(), n);
    conn->loading_data_.remove_prefix(n);
    return static_cast<int>(n);
  }
  static void End(void*) {}
  static int Error(void* state, char* message, unsigned int length) {
    std::snprintf(message, length, "%s",
                  state == nullptr ? "the server asked for a local file; refused"
                                   : "reading rows from memory failed");
    return 2000;  // CR_UNKNOWN_ERROR
  }
};

Result<std::unique_ptr<Connection>> Connection::Open(const ConnectOptions& options) {
  InitLibraryOnce();
  const std::string where = Describe(options);
  if (!options.option_file.empty()) {
    // The client library ignores an unreadable option file; say so instead.
    std::FILE* f = std::fopen(options.option_file.c_str(), "r");
    if (f == nullptr) {
      return Status::InvalidArgument(where + ": cannot read the option file '" +
                                     options.option_file + "'");
    }
    std::fclose(f);
  }
  MYSQL* handle = mysql_init(nullptr);
  if (handle == nullptr) return Status::Internal(where + ": mysql_init failed (out of memory)");
  unsigned connect_timeout = options.connect_timeout_seconds;
  unsigned io_timeout = options.io_timeout_seconds;
  mysql_options(handle, MYSQL_OPT_CONNECT_TIMEOUT, &connect_timeout);
  mysql_options(handle, MYSQL_OPT_READ_TIMEOUT, &io_timeout);
  mysql_options(handle, MYSQL_OPT_WRITE_TIMEOUT, &io_timeout);
  mysql_options(handle, MYSQL_SET_CHARSET_NAME, "utf8mb4");
  // LOAD DATA LOCAL only for connections that load rows, and only ever fed from memory.
  const unsigned local_infile = options.local_infile ? 1 : 0;
  mysql_options(handle, MYSQL_OPT_LOCAL_INFILE, &local_infile);
  if (!options.option_file.empty()) {
    mysql_options(handle, MYSQL_READ_DEFAULT_FILE, options.option_file.c_str());
  }
  auto or_null = [](const std::string& s) { return s.empty() ? nullptr : s.c_str(); };
  const char* password = options.password ? options.password->c_str() : nullptr;
  if (mysql_real_connect(handle, or_null(options.host), or_null(options.user), password,
                         or_null(options.database), static_cast<unsigned>(options.port), nullptr,
                         0) == nullptr) {
    const unsigned error_number = mysql_errno(handle);
    std::string message = where + ": cannot connect: " + mysql_error(handle) + " (error " +
                          std::to_string(error_number) + ")";
    mysql_close(handle);
    return Status::FromCode(ClassifyError(error_number), std::move(message));
  }
  std::unique_ptr<Connection> conn(new Connection(handle, options));
  // From the first query on, a request for a local file meets LocalInfile, never the library's
  // default handler, which would open the file.
  mysql_set_local_infile_handler(handle, LocalInfile::Init, LocalInfile::Read, LocalInfile::End,
                                 LocalInfile::Error, conn.get());
  if (Status s = conn->Exec(kSessionSetup, "session setup"); !s.ok()) return s;
  return conn;
}

Connection::~Connection() { mysql_close(handle_); }

Status Connection::Error(const std::string& what, MYSQL_STMT* stmt) {
  const unsigned error_number = stmt ? mysql_stmt_errno(stmt) : mysql_errno(handle_);
  const char* text = stmt ? mysql_stmt_error(stmt) : mysql_error(handle_);
  if (IsConnectionLost(error_number)) healthy_ = false;
  last_error_ = error_number;
  return Status::FromCode(ClassifyError(error_number), Describe(options_) + ": " + what + ": " +
                                                           text + " (error " +
                                                           std::to_string(error_number) + ")");
}

Result<uint64_t> Connection::LoadLocalData(const std::string& sql, std::string_view file_name,
                                           std::string_view data, unsigned* warnings,
                                           const std::string& what) {
  loading_name_ = file_name;
  loading_data_ = data;
  const int failed = mysql_real_query(handle_, sql.data(), sql.size());
  loading_name_.reset();
  loading_data_ = {};
  if (failed != 0) return Error(what);
  *warnings = mysql_warning_count(handle_);
  return static_cast<uint64_t>(mysql_affected_rows(handle_));
}

Status Connection::Exec(const std::string& sql, const std::string& what) {
  if (mysql_real_query(handle_, sql.data(), sql.size()) != 0) return Error(what);
  // Statements such as SET or DDL return no rows; drain anything that does.
  if (MYSQL_RES* res = mysql_store_result(handle_)) mysql_free_result(res);
  return Status::Ok();
}

Result<Statement> Connection::Prepare(const std::string& sql, const std::string& what) {
  MYSQL_STMT* stmt = mysql_stmt_init(handle_);
  if (stmt == nullptr) return Error("preparing " + what);
  if (mysql_stmt_prepare(stmt, sql.data(), sql.size()) != 0) {
    Status s = Error("preparing " + what, stmt);
    mysql_stmt_close(stmt);
    return s;
  }
  return Statement(this, stmt, what);
}

// ---------------------------------------------------------------------------------------------

Statement::Statement(Statement&& other) noexcept
    : conn_(other.conn_), stmt_(other.stmt_), what_(std::move(other.what_)) {
  other.stmt_ = nullptr;
}

Statement& Statement::operator=(Statement&& other) noexcept {
  if (this != &other) {
    if (stmt_ != nullptr) mysql_stmt_close(stmt_);
    conn_ = other.conn_;
    stmt_ = other.stmt_;
    what_ = std::move(other.what_);
    other.stmt_ = nullptr;
  }
  return *this;
}

Statement::~Statement() {
  if (stmt_ != nullptr) mysql_stmt_close(stmt_);
}

uint64_t Statement::affected_rows() const { return mysql_stmt_affected_rows(stmt_); }

namespace {

// MYSQL_BIND entries point into this storage, which must outlive the execution.
struct BoundParams {
  std::vector<MYSQL_BIND> binds;
  std::vector<unsigned long> lengths;
  std::vector<int64_t> ints;
  std::vector<double> doubles;

  explicit BoundParams(std::span<const Value> params)
      : binds(params.size()), lengths(params.size()), ints(params.size()), doubles(params.size()) {
    for (size_t i = 0; i < params.size(); ++i) {
      MYSQL_BIND& b = binds[i];
      b = MYSQL_BIND{};
      const Value& v = params[i];
      if (std::holds_alternative<std::monostate>(v)) {
        b.buffer_type = MYSQL_TYPE_NULL;
      } else if (const auto* n = std::get_if<int64_t>(&v)) {
        ints[i] = *n;
        b.buffer_type = MYSQL_TYPE_LONGLONG;
        b.buffer = &ints[i];
      } else if (const auto* d = std::get_if<double>(&v)) {
        doubles[i] = *d;
        b.buffer_type = MYSQL_TYPE_DOUBLE;
        b.buffer = &doubles[i];
      } else {
        std::string_view bytes = std::holds_alternative<Blob>(v) ? std::get<Blob>(v).bytes
                                                                 : std::get<std::string_view>(v);
        b.buffer_type = std::holds_alternative<Blob>(v) ? MYSQL_TYPE_BLOB : MYSQL_TYPE_STRING;
        // The library only reads through this pointer.
        b.buffer = const_cast<char*>(bytes.data());
        lengths[i] = bytes.size();
        b.buffer_length = bytes.size();
        b.length = &lengths[i];
      }
    }
  }
};

}  // namespace

Status Statement::Execute(std::span<const Value> params) {
  if (params.size() != mysql_stmt_param_count(stmt_)) {
    return Status::Internal(what_ + ": " + std::to_string(params.size()) + " values for " +
                            std::to_string(mysql_stmt_param_count(stmt_)) + " placeholders");
  }
  BoundParams bound(params);
  if (!params.empty() && mysql_stmt_bind_param(stmt_, bound.binds.data()) != 0) {
    return conn_->Error(what_, stmt_);
  }
  if (mysql_stmt_execute(stmt_) != 0) return conn_->Error(what_, stmt_);
  return Status::Ok();
}

Result<std::vector<Row>> Statement::Query(std::span<const Value> params) {
  const my_bool update_max_length = 1;
  mysql_stmt_attr_set(stmt_, STMT_ATTR_UPDATE_MAX_LENGTH, &update_max_length);
  if (Status s = Execute(params); !s.ok()) return s;
  if (mysql_stmt_store_result(stmt_) != 0) return conn_->Error(what_, stmt_);
  MYSQL_RES* meta = mysql_stmt_result_metadata(stmt_);
  if (meta == nullptr) {
    mysql_stmt_free_result(stmt_);
    return std::vector<Row>{};
  }
  const unsigned columns = mysql_num_fields(meta);
  const MYSQL_FIELD* fields = mysql_fetch_fields(meta);
  // Every column is fetched as text; the library converts numbers and dates.
  std::vector<std::string> buffers(columns);
  std::vector<MYSQL_BIND> binds(columns);
  std::vector<unsigned long> lengths(columns);
  std::vector<my_bool> nulls(columns), truncated(columns);
  for (unsigned i = 0; i < columns; ++i) {
    buffers[i].resize(std::max<unsigned long>(fields[i].max_length, 64) + 1);
    binds[i] = MYSQL_BIND{};
    binds[i].buffer_type = MYSQL_TYPE_STRING;
    binds[i].buffer = buffers[i].data();
    binds[i].buffer_length = buffers[i].size();
    binds[i].length = &lengths[i];
    binds[i].is_null = &nulls[i];
    binds[i].error = &truncated[i];
  }
  mysql_free_result(meta);
  std::vector<Row> rows;
  Status status;
  if (columns > 0 && mysql_stmt_bind_result(stmt_, binds.data()) != 0) {
    status = conn_->Error(what_, stmt_);
  }
  while (status.ok()) {
    const int rc = mysql_stmt_fetch(stmt_);
    if (rc == MYSQL_NO_DATA) break;
    if (rc == 1) {
      status = conn_->Error(what_, stmt_);
      break;
    }
    Row row(columns);
    for (unsigned i = 0; i < columns; ++i) {
      if (nulls[i]) continue;
      if (lengths[i] <= buffers[i].size()) {
        row[i] = std::string(buffers[i].data(), lengths[i]);
        continue;
      }
      // Longer than the buffer: fetch this column again into one of the right size.
      std::string full(lengths[i], '\0');
      MYSQL_BIND b{};
      unsigned long length = 0;
      b.buffer_type = MYSQL_TYPE_STRING;
      b.buffer = full.data();
      b.buffer_length = full.size();
      b.length = &length;
      if (mysql_stmt_fetch_column(stmt_, &b, i, 0) != 0) {
        status = conn_->Error(what_, stmt_);
        break;
      }
      row[i] = std::move(full);
    }
    rows.push_back(std::move(row));
  }
  mysql_stmt_free_result(stmt_);
  if (!status.ok()) return status;
  return rows;
}

}  // namespace shopstream::mysql
