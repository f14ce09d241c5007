// The `commits stalled` alert (alert/alert_rules.h): a stalled stream makes no commit, so the
// commit thread cannot notice it. A thread of its own looks every second on the wall clock: a
// batch waits to commit and nothing committed for the rule's window (a store that is down, a
// commit that hangs) fires the alert; the next commit resolves it. Each change is recorded
// through a store of its own, opened when first needed (so a healthy stream never opens it),
// and handed to `on_change`. The stream only takes a mutex to note the time; a failure to record
// is logged and tried again at the next look.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "store/store.h"

namespace shopstream::pipeline {

class StallWatch {
 public:
  using Clock = std::chrono::steady_clock;
  using StoreOpener = std::function<Result<std::unique_ptr<store::ProcessedStore>>()>;

  // `rule`: the alert's name; `after`: how long without a commit. `now` is the clock (tests
  // pass their own).
  StallWatch(std::string rule, Clock::duration after, StoreOpener open_store,
             std::function<Clock::time_point()> now = Clock::now);
  ~StallWatch();  // stops the thread

  // Looks every `every` on a thread of its own (tests call Look instead).
  void Start(Clock::duration every = std::chrono::seconds(1));
  void Stop();
  // Told of each change once recorded; called on the watch's thread.
  void OnChange(std::function<void(const store::AlertRecord&)> callback);

  // The read loop handed a batch to the commit stage.
  void Submitted();
  // A batch committed; `stream_time` ("YYYY-MM-DD HH:MM:SS") names the changes recorded next.
  void Committed(const std::string& stream_time);
  // The alerts table left it firing (a restart): the next commit resolves it.
  void RestoreFiring();

  // One look: fires or resolves, and records what is not recorded yet.
  void Look();

 private:
  std::string rule_;
  Clock::duration after_;
  StoreOpener open_store_;
  std::function<Clock::time_point()> now_;
  std::function<void(const store::AlertRecord&)> on_change_;

  std::mutex mu_;                           // guards what the stream notes and the thread reads
  int64_t waiting_ = 0;                     // batches submitted and not committed
  std::optional<Clock::time_point> since_;  // the last commit, or the first wait after one
  bool committed_ = false;                  // a commit since the alert fired
  bool firing_ = false;
  std::string stream_time_;

  std::unique_ptr<store::ProcessedStore> store_;  // the watch thread's own
  std::vector<store::AlertRecord> unrecorded_;
  bool warned_ = false;

  std::condition_variable wake_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace shopstream::pipeline
