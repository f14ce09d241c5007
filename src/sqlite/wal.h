// How the connections here share one file's write-ahead log: waiting for each other's locks,
// checkpointing the log into the file, and starting it over.
//
// The copying runs on a thread and connection of their own (WalCheckpointer), so that a writer's
// commit does not wait for it: the embedded processor's commit thread spent a tenth of its time
// copying the log back (perf, 1M events) while its other thread sat mostly idle. Starting the log
// over stays with the writer, between its own transactions: a checkpointer beside two busy
// writers seldom got the write lock that a restart needs, and the log grew past 250 MB.
#pragma once

#include <sqlite3.h>

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

namespace shopstream::sqlite {

// The busy handler of every connection here: waits for another connection's lock in short steps.
int WaitWhileBusy(void* unused, int attempts);

// When a writer's commit starts the log over. The copying in between is passive, and left to a
// WalCheckpointer.
class LogRestartPolicy {
 public:
  // SQLite's own threshold for its automatic checkpoint.
  static constexpr int kAutoCheckpointPages = 1000;

  bool Due(int pages) const { return pages >= next_restart_pages_; }
  // Checkpoints all of `db`'s log that it can and starts it over, waiting briefly for readers.
  // Never a commit's failure: when it cannot, it says when to try again.
  void Restart(sqlite3* db, int pages);

 private:
  static constexpr int kRestartPages = 16384;  // 64 MiB of 4 KiB pages
  int next_restart_pages_ = kRestartPages;
};

class WalCheckpointer {
 public:
  // Opens a connection of its own to `path` and starts its thread; nullptr when the connection
  // cannot be opened (the writer then checkpoints inline).
  static std::unique_ptr<WalCheckpointer> Start(const std::string& path);
  ~WalCheckpointer();  // finishes the checkpoint in hand, then closes its connection

  // Called from a writer's wal hook: the log has frames to copy. Returns at once.
  void Notify();

 private:
  explicit WalCheckpointer(sqlite3* db);
  void Loop();

  sqlite3* db_;
  std::mutex mu_;
  std::condition_variable wake_;
  bool due_ = false;  // frames were committed since the last passive checkpoint began
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace shopstream::sqlite
