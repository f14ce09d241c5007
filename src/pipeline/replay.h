// Replay: turns rows of a data set into a live stream of the seed's messages on a Publisher.
#pragma once

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>

#include "bus/bus.h"
#include "common/status.h"
#include "event/event.h"

namespace shopstream::pipeline {

// Where replay takes its rows from (a CSV file, in practice). Rewind() starts over (--loop).
class EventFeed {
 public:
  virtual ~EventFeed() = default;
  // Fills `out` with the next row; false at the end.
  virtual Result<bool> Next(Event* out) = 0;
  virtual Status Rewind() = 0;
};

struct ReplayOptions {
  enum class Pacing {
    kSeed,     // the seed's producer: 1-10 random rows every 1-3 s, event_time = now
    kRate,     // rows in file order at `rate` events per second, event_time = now
    kMax,      // rows in file order as fast as the bus takes them, event_time = now
    kSpeedup,  // rows in file order at `speedup` x their original pace, original event_time
  };
  Pacing pacing = Pacing::kSeed;
  double rate = 0;
  double speedup = 1;
  // With kSpeedup: a jump forward in event time that would mean waiting longer than this is
  // not waited for (the replay clock moves on), and an event whose time cannot be read goes
  // at once, so one row from year 9999 cannot stall the replay.
  double max_gap_seconds = 60;
  int64_t count = -1;  // stop after this many events; -1: the whole file (seed pacing: forever)
  bool loop = false;   // start the file over at its end
  uint64_t seed = 0;   // for the seed pacing's random choices; 0 picks one at random
  size_t seed_pool = 1'000'000;  // seed pacing keeps at most this many rows in memory
};

struct ReplayCounters {
  std::atomic<int64_t> produced{0};
};

// Original-time pacing (kSpeedup): when each event is due, in seconds after the replay began.
class OriginalPace {
 public:
  OriginalPace(double speedup, double max_gap_seconds)
      : speedup_(speedup), max_gap_(max_gap_seconds) {}
  // nullopt when the time cannot be read (the event goes at once). A time before the previous
  // one is due at once too; a jump forward of more than the gap is not waited for.
  std::optional<double> Due(const std::string& event_time);

 private:
  double speedup_;
  double max_gap_;
  std::optional<double> first_;  // the first readable event time
  double skipped_ = 0;           // event-time seconds not waited for
  double last_due_ = 0;
  bool jump_reported_ = false;
};

class Replayer {
 public:
  Replayer(EventFeed& feed, bus::Publisher& publisher, ReplayOptions options);
  // Runs until the feed ends, the count is reached, or `stop` is set; flushes before it returns.
  Status Run(const std::atomic<bool>& stop);
  const ReplayCounters& counters() const { return counters_; }

 private:
  Status RunSeedPacing(const std::atomic<bool>& stop);
  Status RunInFileOrder(const std::atomic<bool>& stop);
  Status Send(std::vector<std::string>& payloads);

  EventFeed& feed_;
  bus::Publisher& publisher_;
  ReplayOptions options_;
  ReplayCounters counters_;
};

// "YYYY-MM-DD HH:MM:SS.ffffff" in UTC, as pandas prints a timestamp with microseconds.
std::string NowEventTime();

}  // namespace shopstream::pipeline
