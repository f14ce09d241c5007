// The archiver: reads a bus with a consumer of its own and keeps every message as a row of a
// file at a destination, partitioned by the event's date, exactly once (docs/archive.md).
//
// Per bus partition, the messages read since the last commit form an *epoch*, held in memory
// as one file per date (plus one of dead letters: messages that do not decode, whose
// event_time is not a date, or whose text is not UTF-8). An epoch is committed when it holds
// `roll_rows` messages, when its first message is `roll_after` old, on a clean stop and on an
// idle exit: each file is written under a temporary name and renamed to a pending name, then
// every pending file is renamed to its final name (layout.h). On every assignment of
// partitions the resume points are recovered from the file names (recovery.h), so a crash or
// kill -9 at any moment loses and duplicates nothing. Destination outages are retried with
// backoff (100 ms doubling to `max_backoff`) for as long as they last: nothing is skipped.
// One destination folder holds one stream: a marker file `_stream.NAME` at its root says which.
// One thread: Run() calls the source, the destination and the format.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "archive/destination.h"
#include "archive/file_format.h"
#include "bus/bus.h"
#include "common/status.h"
#include "event/json_codec.h"

namespace shopstream::archive {

struct ArchiverOptions {
  int64_t roll_rows = 500'000;                    // messages of one epoch (all its files)
  std::chrono::milliseconds roll_after{300'000};  // age of an epoch's first message
  size_t max_batch = 20'000;                      // messages per poll
  std::chrono::milliseconds idle_exit{0};         // 0: run until stopped
  std::chrono::milliseconds max_backoff{10'000};
};

// Live counters, readable from other threads (status lines).
struct ArchiverCounters {
  std::atomic<int64_t> consumed{0};      // messages read
  std::atomic<int64_t> archived{0};      // events in final files
  std::atomic<int64_t> dead_letters{0};  // dead letters in final files
  std::atomic<int64_t> files{0};         // final files written
  std::atomic<int64_t> bytes{0};         // their size
  std::atomic<int64_t> open_rows{0};     // messages held in open epochs
  std::atomic<int64_t> lag{-1};
  std::atomic<int64_t> retries{0};
};

class Archiver {
 public:
  Archiver(bus::MessageSource& source, Destination& destination, FileFormat& format,
           ArchiverOptions options);
  ~Archiver();

  // Runs until `stop` is set (open epochs are committed, once, without retries), the idle limit
  // passes (open epochs committed), or a failure that no retry can cure (returned).
  Status Run(const std::atomic<bool>& stop);

  const ArchiverCounters& counters() const { return counters_; }

 private:
  using Clock = std::chrono::steady_clock;
  struct Group;
  struct Epoch;

  // Marks the destination as this stream's (a file `_stream.NAME` at its root), refusing one
  // that holds another stream's archive: partitions and offsets of two streams would mix.
  // Done before the first recovery touches a file: at once when the source knows its name (a
  // Kafka topic), else in the first assignment (an embedded log's id is read on its opening).
  Status ClaimDestination(const std::atomic<bool>& stop);
  // Decodes one message into its partition's open epoch.
  Status Add(const bus::Message& message);
  // Writes, then publishes, every file of the epoch.
  Status Commit(Epoch& epoch, const std::atomic<bool>& stop);
  Status CommitDue(const std::atomic<bool>& stop, bool all);
  // The assignment listener: drops open epochs of `partitions`, finishes or removes what a
  // crash left of them, and returns where to resume.
  OffsetMap Recover(const std::vector<int32_t>& partitions, const std::atomic<bool>& stop);
  Status MakeDirs(const std::string& dir, const std::atomic<bool>& stop);
  // Writes a start marker (layout.h) for each partition that began at the source's default
  // start (`--start latest`), before any of its messages is kept: a restart resumes there.
  Status SaveStarts(const std::atomic<bool>& stop);
  Status WithRetry(const std::string& what, const std::atomic<bool>& stop,
                   const std::function<Status()>& attempt);
  void Drop(int32_t partition);
  std::optional<Clock::time_point> NextRollDue() const;

  bus::MessageSource& source_;
  Destination& destination_;
  FileFormat& format_;
  ArchiverOptions options_;
  ArchiverCounters counters_;
  EventDecoder decoder_;
  bus::MessageBatch batch_;  // reused from one poll to the next
  std::map<int32_t, std::unique_ptr<Epoch>> open_;
  std::map<int32_t, int64_t> next_offset_;  // per assigned partition, once known
  std::set<std::string> made_dirs_;
  Status listener_failure_;  // a failure inside the assignment listener, returned by Run()
  bool recovered_ = false;   // the listener ran during the last poll
  bool claimed_ = false;     // ClaimDestination succeeded
};

}  // namespace shopstream::archive
