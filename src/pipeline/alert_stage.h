// The processor's alerts (`process --alerts FILE`): after each committed batch, the rules
// (alert/alert_rules.h) are evaluated in stream time over rollup_10s (and rollup_minute for
// by=department rules), read back from the store (a range of the key for each span the rules
// need: the trailing window and baseline, the same window on earlier days), and each change of
// an alert's state is kept in the alerts table. A department's alert is kept under the rule
// name RULE/DEPARTMENT. Which alerts fire is restored from the alerts table before the first
// evaluation, so that a restarted processor resolves an alert once instead of firing it again.
// Dead letters have no event time: each batch's messages and dead letters count in the
// ten-second bucket of the stream time it reached. Never holds the stream up: a failure to read
// or record is logged and the next batch tries again.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "alert/evaluator.h"
#include "pipeline/stall_watch.h"
#include "store/store.h"

namespace shopstream::pipeline {

// A change as the webhook posts it: {"rule", "state", "stream_time", "metric", "value",
// "threshold", "baseline"}.
// A department's change adds "department".
std::string AlertChangeJson(const store::AlertRecord& record);

// The alerts table's rule for a rule and department: NAME, or NAME/DEPARTMENT cut to the
// column's 50 characters; and back.
std::string AlertRuleKey(const std::string& rule, const std::string& department);
std::pair<std::string, std::string> SplitAlertRuleKey(const std::string& key);

class AlertStage {
 public:
  AlertStage(store::ProcessedStore& store, std::vector<alert::Rule> rules);

  // On the commit stage's thread, after `batch` committed.
  void AfterCommit(const store::ProcessedBatch& batch);
  // Told of each change once it is recorded (a webhook); runs on the commit stage's thread, so
  // it must only hand the change over.
  void OnChange(std::function<void(const store::AlertRecord&)> callback) {
    on_change_ = std::move(callback);
  }

  // Runs the `commits stalled` rules' watch (pipeline/stall_watch.h), which records through a
  // store of its own from `open_store`; without it those rules are not watched.
  void WatchStalls(StallWatch::StoreOpener open_store);
  // The read loop handed a batch to the commit stage (for the stall watch).
  void Submitted();
  // Stops the stall watch (before what OnChange hands changes to goes away).
  void Stop();

  int64_t fired() const { return fired_; }

 private:
  bool Restore();
  Status Read(int64_t now, alert::Series* buckets,
              std::map<std::string, alert::Series>* departments);

  store::ProcessedStore& store_;
  alert::Evaluator evaluator_;
  bool restored_ = false;
  std::optional<int64_t> newest_;               // the start of the newest ten-second bucket seen
  std::map<int64_t, alert::Bucket> dead_;       // messages and dead letters by stream bucket
  std::vector<store::AlertRecord> unrecorded_;  // changes whose recording failed, tried again
  std::function<void(const store::AlertRecord&)> on_change_;
  int64_t fired_ = 0;
  bool warned_ = false;
  // Last: its thread calls on_change_, so it stops before the members go.
  std::unique_ptr<StallWatch> watch_;
};

}  // namespace shopstream::pipeline
