#include "pipeline/alert_stage.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "common/json_writer.h"
#include "common/log.h"
#include "query/time_range.h"

namespace shopstream::pipeline {
namespace {

// "YYYY-MM-DD HH:MM:SS" from the start of its ten-second bucket "YYYY-MM-DD HH:MM:S".
std::string StreamTime(int64_t second) { return query::FormatTenSecondBucket(second) + "0"; }

}  // namespace

std::string AlertChangeJson(const store::AlertRecord& r) {
  JsonWriter w;
  w.BeginObject();
  w.Key("rule").String(r.rule).Key("state").String(r.state);
  w.Key("stream_time").String(r.at).Key("metric").String(r.metric);
  w.Key("value").Double(r.value).Key("threshold").Double(r.threshold);
  w.Key("baseline").Double(r.baseline);
  w.EndObject();
  return w.str();
}

AlertStage::AlertStage(store::ProcessedStore& store, std::vector<alert::Rule> rules)
    : store_(store), evaluator_(std::move(rules)) {}

void AlertStage::AfterCommit(const store::ProcessedBatch& batch) {
  // Stream time: the newest event time committed so far (a late event does not move it back).
  for (const CleanedEvent& row : batch.rows) {
    if (row.event_time.size() < 18) continue;
    auto second = query::ParseTenSecondBucket(std::string_view(row.event_time).substr(0, 18));
    if (second.ok() && (!newest_ || *second > *newest_)) newest_ = *second;
  }
  if (!newest_) return;
  alert::Bucket& here = dead_[*newest_];
  here.messages += static_cast<double>(batch.rows.size() + batch.dead_letters.size());
  here.dead_letters += static_cast<double>(batch.dead_letters.size());

  const int64_t now = *newest_;
  const int64_t first = evaluator_.FirstBoundary(now) - evaluator_.HistorySeconds();
  dead_.erase(dead_.begin(), dead_.lower_bound(first));
  std::vector<store::AlertRecord> changes = std::move(unrecorded_);
  unrecorded_.clear();
  auto counts = store_.ReadTenSecondCounts(query::FormatTenSecondBucket(first));
  if (!counts.ok()) {
    if (!warned_) LogWarn("alerts: " + counts.status().message() + " (tried again next batch)");
    warned_ = true;
    unrecorded_ = std::move(changes);
    return;
  }
  std::map<int64_t, alert::Bucket> buckets = dead_;
  for (const store::TenSecondCounts& c : *counts) {
    auto second = query::ParseTenSecondBucket(c.bucket);
    if (!second.ok()) continue;
    alert::Bucket& b = buckets[*second];
    const double n = static_cast<double>(c.events);
    b.events += n;
    if (c.event_type == "view") b.views += n;
    if (c.event_type == "cart") b.carts += n;
    if (c.event_type == "purchase") b.purchases += n;
    b.revenue += c.revenue;
  }
  for (const alert::Transition& t : evaluator_.Evaluate(now, buckets)) {
    const auto rule = std::find_if(evaluator_.rules().begin(), evaluator_.rules().end(),
                                   [&](const alert::Rule& r) { return r.name == t.rule; });
    store::AlertRecord record{t.rule,
                              t.fired ? "fired" : "resolved",
                              StreamTime(t.at_second),
                              std::string(alert::MetricName(rule->metric)),
                              t.value,
                              t.threshold,
                              t.baseline};
    LogInfo("alert " + record.rule + " " + record.state + " at " + record.at + " (value " +
            std::to_string(t.value) + ", threshold " + std::to_string(t.threshold) + ")");
    if (t.fired) ++fired_;
    changes.push_back(std::move(record));
  }
  if (changes.empty()) return;
  if (Status s = store_.RecordAlerts(changes); !s.ok()) {
    if (!warned_) LogWarn("alerts: " + s.message() + " (tried again next batch)");
    warned_ = true;
    unrecorded_ = std::move(changes);
    return;
  }
  warned_ = false;
  if (on_change_) {
    for (const store::AlertRecord& record : changes) on_change_(record);
  }
}

}  // namespace shopstream::pipeline
