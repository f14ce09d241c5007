// A thin RAII layer over the SQLite C API shared by the embedded log and the embedded stores.
// Every value is bound through a prepared statement; nothing is spliced into SQL text.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"
#include "sqlite/wal.h"

namespace shopstream::sqlite {

// Maps an SQLite result code to a Status: a busy or locked database is retryable.
Status ToStatus(int rc, sqlite3* db, std::string_view what);

class Statement {
 public:
  Statement() = default;
  explicit Statement(sqlite3_stmt* stmt) : stmt_(stmt) {}
  Statement(Statement&& other) noexcept : stmt_(other.stmt_) { other.stmt_ = nullptr; }
  Statement& operator=(Statement&& other) noexcept;
  ~Statement();

  // Binding is 1-based, as in SQLite. Text is copied only when `copy` is true; otherwise it
  // must outlive the next Step().
  void Bind(int index, int64_t value) { sqlite3_bind_int64(stmt_, index, value); }
  void Bind(int index, double value) { sqlite3_bind_double(stmt_, index, value); }
  void Bind(int index, std::string_view text, bool copy = false) {
    sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()),
                      copy ? SQLITE_TRANSIENT : SQLITE_STATIC);
  }
  void BindBlob(int index, std::string_view bytes) {
    sqlite3_bind_blob(stmt_, index, bytes.data(), static_cast<int>(bytes.size()), SQLITE_STATIC);
  }
  void BindNull(int index) { sqlite3_bind_null(stmt_, index); }
  void Bind(int index, const std::optional<std::string>& text) {
    if (text) {
      Bind(index, std::string_view(*text));
    } else {
      BindNull(index);
    }
  }

  // Runs one step: true when a row is available, false when done.
  Result<bool> Step();
  // Runs to completion, ignoring rows, and resets for the next use.
  Status Run();
  void Reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }

  int ColumnCount() const { return sqlite3_column_count(stmt_); }
  int64_t ColumnInt(int col) const { return sqlite3_column_int64(stmt_, col); }
  double ColumnDouble(int col) const { return sqlite3_column_double(stmt_, col); }
  bool ColumnIsNull(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
  std::string_view ColumnText(int col) const;

 private:
  sqlite3_stmt* stmt_ = nullptr;
};

class Database {
 public:
  enum class Mode { kReadWriteCreate, kReadWrite, kReadOnly };  // kReadWrite: must exist

  // Opens `path` in WAL mode (readers never block the writer, and a committed transaction
  // survives kill -9 of the process) with a busy timeout.
  static Result<std::unique_ptr<Database>> Open(const std::string& path, Mode mode);
  ~Database();

  Status Exec(const std::string& sql);
  Result<Statement> Prepare(const std::string& sql);
  // BEGIN IMMEDIATE takes the write lock up front, so a transaction never fails half way
  // on a lock held by another writer.
  Status BeginImmediate() { return Exec("BEGIN IMMEDIATE"); }
  Status Commit() { return Exec("COMMIT"); }
  void Rollback() { sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr); }
  int64_t Changes() const { return sqlite3_changes(db_); }
  const std::string& path() const { return path_; }
  sqlite3* handle() { return db_; }

 private:
  Database(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  // SQLite's wal hook: hands the log to a checkpointer of this file's (wal.h says why).
  static int AfterCommit(void* self, sqlite3* db, const char* schema, int pages);
  sqlite3* db_;
  std::string path_;
  std::unique_ptr<WalCheckpointer> checkpointer_;  // started at the first log worth copying
  bool checkpoint_inline_ = false;                 // when the checkpointer could not start
  LogRestartPolicy restart_;
};

}  // namespace shopstream::sqlite
