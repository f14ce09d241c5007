#include "sqlite/wal.h"

#include <chrono>

namespace shopstream::sqlite {

namespace {

// How long a connection waits for another's write lock before SQLITE_BUSY (retryable).
constexpr auto kBusyTimeout = std::chrono::seconds(10);
// How long a restart of the log waits for readers to leave it.
constexpr auto kRestartWait = std::chrono::milliseconds(250);

thread_local bool waiting_to_restart_log = false;  // shortens WaitWhileBusy's limit

}  // namespace

// Steps of at most a millisecond: SQLite's own busy timeout sleeps up to 100 ms at a time, which
// left the processor's two stages (raw rows, then the processed commit, often into one file) idle
// for tens of milliseconds per batch after the other had released the lock.
int WaitWhileBusy(void*, int attempts) {
  const auto step = std::chrono::microseconds(attempts < 10 ? 100 : 1000);
  const auto waited =
      attempts < 10 ? step * attempts : std::chrono::microseconds(1000) * (attempts - 9);
  if (waited >= (waiting_to_restart_log ? kRestartWait : kBusyTimeout)) return 0;
  std::this_thread::sleep_for(step);
  return 1;
}

// SQLite's own automatic checkpoint is passive: it never waits, so it cannot restart the log
// while another connection to the file is always inside a transaction, as the processor's two
// stages often are when the raw and processed stores share one file. The log then grew without
// bound (18 GB within 3 minutes while loading 10M events). Past kRestartPages a commit waits,
// briefly, for a moment when the log can start over; if a reader holds on past that wait, it
// tries again only once the log has grown by as much again.
void LogRestartPolicy::Restart(sqlite3* db, int pages) {
  waiting_to_restart_log = true;
  const auto started = std::chrono::steady_clock::now();
  const int rc =
      sqlite3_wal_checkpoint_v2(db, nullptr, SQLITE_CHECKPOINT_RESTART, nullptr, nullptr);
  waiting_to_restart_log = false;
  // Busy at once: another connection was checkpointing; try again after the next commit.
  // Busy after the whole wait: a reader holds on; try again once the log has grown as much again.
  const bool waited_out = std::chrono::steady_clock::now() - started >= kRestartWait;
  next_restart_pages_ = rc == SQLITE_OK ? kRestartPages
                        : waited_out    ? pages + kRestartPages
                                        : pages;
}

std::unique_ptr<WalCheckpointer> WalCheckpointer::Start(const std::string& path) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr) !=
      SQLITE_OK) {
    sqlite3_close(db);
    return nullptr;
  }
  sqlite3_busy_handler(db, &WaitWhileBusy, nullptr);
  // A connection finds the file's log only once it has read the file: until then a checkpoint
  // does nothing.
  if (sqlite3_exec(db, "PRAGMA journal_mode=WAL", nullptr, nullptr, nullptr) != SQLITE_OK) {
    sqlite3_close(db);
    return nullptr;
  }
  return std::unique_ptr<WalCheckpointer>(new WalCheckpointer(db));
}

WalCheckpointer::WalCheckpointer(sqlite3* db) : db_(db), thread_([this] { Loop(); }) {}

WalCheckpointer::~WalCheckpointer() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  wake_.notify_one();
  thread_.join();
  sqlite3_close_v2(db_);
}

void WalCheckpointer::Notify() {
  {
    std::lock_guard lock(mu_);
    due_ = true;
  }
  wake_.notify_one();
}

void WalCheckpointer::Loop() {
  std::unique_lock lock(mu_);
  while (true) {
    wake_.wait(lock, [this] { return stop_ || due_; });
    if (stop_) return;
    due_ = false;
    lock.unlock();
    sqlite3_wal_checkpoint_v2(db_, nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
    lock.lock();
  }
}

}  // namespace shopstream::sqlite
