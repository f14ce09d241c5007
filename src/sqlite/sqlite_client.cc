#include "sqlite/sqlite_client.h"

#include "sqlite/wal.h"

namespace shopstream::sqlite {

Status ToStatus(int rc, sqlite3* db, std::string_view what) {
  if (rc == SQLITE_OK || rc == SQLITE_DONE || rc == SQLITE_ROW) return Status::Ok();
  std::string message = std::string(what) + ": " + (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
  switch (rc & 0xFF) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return Status::Unavailable(message);
    case SQLITE_CANTOPEN:
      return Status::NotFound(message);
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_READONLY:
      return Status::IoError(message);
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return Status::Corruption(message);
    case SQLITE_CONSTRAINT: {
      // A CHECK or a trigger its operator added refuses a row: the row is bad, not the store
      // (dead-lettered as store.refused, replayed once the operator lifts it).
      const int extended = db ? sqlite3_extended_errcode(db) : rc;
      if (extended == SQLITE_CONSTRAINT_CHECK || extended == SQLITE_CONSTRAINT_TRIGGER) {
        return Status::RefusedValue(message);
      }
      return Status::Internal(message);
    }
    default:
      return Status::Internal(message);
  }
}

namespace {
// The log's file is cut back to this size after it starts over, rather than kept at its largest.
constexpr const char* kJournalSizeLimit = "PRAGMA journal_size_limit=67108864";
}  // namespace

int Database::AfterCommit(void* self, sqlite3* db, const char*, int pages) {
  auto* database = static_cast<Database*>(self);
  if (pages < LogRestartPolicy::kAutoCheckpointPages) return SQLITE_OK;
  if (database->restart_.Due(pages)) {
    database->restart_.Restart(db, pages);
    return SQLITE_OK;
  }
  if (!database->checkpointer_ && !database->checkpoint_inline_) {
    database->checkpointer_ = WalCheckpointer::Start(database->path_);
    database->checkpoint_inline_ = !database->checkpointer_;
  }
  if (database->checkpointer_) {
    database->checkpointer_->Notify();
  } else {
    sqlite3_wal_checkpoint_v2(db, nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
  }
  return SQLITE_OK;  // a checkpoint is never the commit's failure
}

Statement& Statement::operator=(Statement&& other) noexcept {
  if (this != &other) {
    sqlite3_finalize(stmt_);
    stmt_ = other.stmt_;
    other.stmt_ = nullptr;
  }
  return *this;
}

Statement::~Statement() { sqlite3_finalize(stmt_); }

Result<bool> Statement::Step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  sqlite3* db = sqlite3_db_handle(stmt_);
  Status s = ToStatus(rc, db,
                      sqlite3_sql(stmt_) ? std::string_view(sqlite3_sql(stmt_)).substr(0, 60)
                                         : std::string_view("statement"));
  sqlite3_reset(stmt_);
  return s;
}

Status Statement::Run() {
  while (true) {
    auto row = Step();
    if (!row.ok()) return row.status();
    if (!row.value()) break;
  }
  Reset();
  return Status::Ok();
}

std::string_view Statement::ColumnText(int col) const {
  const void* data = sqlite3_column_blob(stmt_, col);
  int size = sqlite3_column_bytes(stmt_, col);
  return data ? std::string_view(static_cast<const char*>(data), size) : std::string_view();
}

Result<std::unique_ptr<Database>> Database::Open(const std::string& path, Mode mode) {
  // SQLite counts every allocation under a process-wide mutex unless told not to (its memory
  // statistics, which nothing here reads): a lock and unlock per malloc on both of the
  // processor's threads. Only possible before the library's first use; later it is refused
  // (SQLITE_MISUSE), harmlessly.
  static const int memstatus_off = sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
  (void)memstatus_off;
  sqlite3* db = nullptr;
  int flags = mode == Mode::kReadOnly    ? SQLITE_OPEN_READONLY
              : mode == Mode::kReadWrite ? SQLITE_OPEN_READWRITE
                                         : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
  int rc = sqlite3_open_v2(path.c_str(), &db, flags | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    Status s = ToStatus(rc, db, "cannot open SQLite database '" + path + "'");
    sqlite3_close(db);
    return s;
  }
  std::unique_ptr<Database> out(new Database(db, path));
  sqlite3_busy_handler(db, &WaitWhileBusy, nullptr);
  if (mode != Mode::kReadOnly) {
    // synchronous=NORMAL in WAL mode: a committed transaction survives a crash of the process;
    // only a power loss may roll back the last transactions, never corrupt the file.
    for (const char* pragma :
         {"PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL", kJournalSizeLimit}) {
      if (Status s = out->Exec(pragma); !s.ok()) return s;
    }
    sqlite3_wal_hook(db, &Database::AfterCommit, out.get());
  }
  return out;
}

Database::~Database() {
  // The checkpointer first: the writer's close then copies what is left and removes the log.
  checkpointer_.reset();
  sqlite3_close_v2(db_);
}

Status Database::Exec(const std::string& sql) {
  char* error = nullptr;
  int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &error);
  if (rc == SQLITE_OK) return Status::Ok();
  Status s = ToStatus(rc, db_, "SQLite '" + sql.substr(0, 60) + "' on " + path_);
  sqlite3_free(error);
  return s;
}

Result<Statement> Database::Prepare(const std::string& sql) {
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v3(db_, sql.c_str(), static_cast<int>(sql.size()),
                              SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
  if (rc != SQLITE_OK) return ToStatus(rc, db_, "preparing '" + sql.substr(0, 60) + "'");
  return Statement(stmt);
}

}  // namespace shopstream::sqlite
