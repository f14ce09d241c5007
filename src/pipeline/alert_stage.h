// The processor's alerts (`process --alerts FILE`): after each committed batch, the rules
// (alert/alert_rules.h) are evaluated in stream time over rollup_10s, read back from the
// store (one range of its key: the rules' window and baseline), and each change of an alert's
// state is kept in the alerts table. Dead letters have no event time: each batch's messages and
// dead letters count in the ten-second bucket of the stream time it reached. Never holds the
// stream up: a failure to read or record is logged and the next batch tries again.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "alert/evaluator.h"
#include "store/store.h"

namespace shopstream::pipeline {

// A change as the webhook posts it: {"rule", "state", "stream_time", "metric", "value",
// "threshold", "baseline"}.
std::string AlertChangeJson(const store::AlertRecord& record);

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

  int64_t fired() const { return fired_; }

 private:
  store::ProcessedStore& store_;
  alert::Evaluator evaluator_;
  std::optional<int64_t> newest_;               // the start of the newest ten-second bucket seen
  std::map<int64_t, alert::Bucket> dead_;       // messages and dead letters by stream bucket
  std::vector<store::AlertRecord> unrecorded_;  // changes whose recording failed, tried again
  std::function<void(const store::AlertRecord&)> on_change_;
  int64_t fired_ = 0;
  bool warned_ = false;
};

}  // namespace shopstream::pipeline
