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

constexpr size_t kRuleWidth = 50;  // the alerts table's rule column (sql/schema.cc)

void AddCounts(alert::Bucket& b, const std::string& event_type, int64_t events, double revenue) {
  const double n = static_cast<double>(events);
  b.events += n;
  if (event_type == "view") b.views += n;
  if (event_type == "cart") b.carts += n;
  if (event_type == "purchase") b.purchases += n;
  b.revenue += revenue;
}

}  // namespace

std::string AlertRuleKey(const std::string& rule, const std::string& department) {
  if (department.empty()) return rule;
  std::string key = rule + "/" + department;
  if (key.size() <= kRuleWidth) return key;
  size_t cut = kRuleWidth;  // not inside a UTF-8 sequence
  while (cut > 0 && (static_cast<unsigned char>(key[cut]) & 0xC0) == 0x80) --cut;
  return key.substr(0, cut);
}

std::pair<std::string, std::string> SplitAlertRuleKey(const std::string& key) {
  const size_t slash = key.find('/');  // rule names hold no '/'
  if (slash == std::string::npos) return {key, ""};
  return {key.substr(0, slash), key.substr(slash + 1)};
}

std::string AlertChangeJson(const store::AlertRecord& r) {
  JsonWriter w;
  w.BeginObject();
  w.Key("rule").String(r.rule).Key("state").String(r.state);
  w.Key("stream_time").String(r.at).Key("metric").String(r.metric);
  w.Key("value").Double(r.value).Key("threshold").Double(r.threshold);
  w.Key("baseline").Double(r.baseline);
  if (auto [rule, department] = SplitAlertRuleKey(r.rule); !department.empty()) {
    w.Key("department").String(department);
  }
  w.EndObject();
  return w.str();
}

AlertStage::AlertStage(store::ProcessedStore& store, std::vector<alert::Rule> rules)
    : store_(store), evaluator_(std::move(rules)) {}

void AlertStage::WatchStalls(StallWatch::StoreOpener open_store) {
  for (const alert::Rule& r : evaluator_.rules()) {
    if (r.condition != alert::Condition::kStalled) continue;
    watch_ = std::make_unique<StallWatch>(r.name, std::chrono::seconds(r.window_seconds),
                                          std::move(open_store));
    // On the watch's thread: on_change_ only hands the change over (a webhook's queue).
    watch_->OnChange([this](const store::AlertRecord& record) {
      if (on_change_) on_change_(record);
    });
    watch_->Start();
    return;  // one watch: a second such rule would only say the same later
  }
}

void AlertStage::Submitted() {
  if (watch_) watch_->Submitted();
}

void AlertStage::Stop() {
  if (watch_) watch_->Stop();
}

// The alerts the table last left firing, once, before the first evaluation.
bool AlertStage::Restore() {
  if (restored_) return true;
  auto latest = store_.LoadLatestAlerts();
  if (!latest.ok() && latest.status().code() == StatusCode::kNotFound) {
    restored_ = true;  // a store that keeps no alerts: nothing to go on from
    return true;
  }
  if (!latest.ok()) {
    if (!warned_) LogWarn("alerts: " + latest.status().message() + " (tried again next batch)");
    warned_ = true;
    return false;
  }
  // A rule that fired and resolved at one stream time has both rows: resolved wins.
  std::map<std::string, bool> firing;
  for (const store::AlertRecord& r : *latest) {
    auto [it, fresh] = firing.emplace(r.rule, r.state == "fired");
    if (!fresh && r.state != "fired") it->second = false;
  }
  for (const auto& [key, fires] : firing) {
    if (!fires) continue;
    auto [rule, department] = SplitAlertRuleKey(key);
    evaluator_.Restore(rule, department);
    if (watch_ && department.empty()) {
      for (const alert::Rule& r : evaluator_.rules()) {
        if (r.name == rule && r.condition == alert::Condition::kStalled) watch_->RestoreFiring();
      }
    }
    LogInfo("alert " + key + " fires still (the alerts table)");
  }
  restored_ = true;
  return true;
}

// The ten-second buckets and the departments' minutes of the spans the next evaluation reads.
Status AlertStage::Read(int64_t now, alert::Series* buckets,
                        std::map<std::string, alert::Series>* departments) {
  for (const alert::Span& span : evaluator_.TenSecondSpans(now)) {
    auto counts = store_.ReadTenSecondCounts(query::FormatTenSecondBucket(span.from),
                                             query::FormatTenSecondBucket(span.to));
    if (!counts.ok()) return counts.status();
    for (const store::TenSecondCounts& c : *counts) {
      auto second = query::ParseTenSecondBucket(c.bucket);
      if (second.ok()) AddCounts((*buckets)[*second], c.event_type, c.events, c.revenue);
    }
  }
  for (const alert::Span& span : evaluator_.MinuteSpans(now)) {
    auto counts = store_.ReadDepartmentMinutes(query::FormatMinuteBucket(span.from / 60),
                                               query::FormatMinuteBucket(span.to / 60));
    if (!counts.ok()) return counts.status();
    for (const store::DepartmentMinuteCounts& c : *counts) {
      auto minute = query::ParseMinuteBucket(c.bucket);
      if (!minute.ok()) continue;
      AddCounts((*departments)[c.department][*minute * 60], c.event_type, c.events, c.revenue);
    }
  }
  return Status::Ok();
}

void AlertStage::AfterCommit(const store::ProcessedBatch& batch) {
  // Stream time: the newest event time committed so far (a late event does not move it back).
  for (const CleanedEvent& row : batch.rows) {
    if (row.event_time.size() < 18) continue;
    auto second = query::ParseTenSecondBucket(std::string_view(row.event_time).substr(0, 18));
    if (second.ok() && (!newest_ || *second > *newest_)) newest_ = *second;
  }
  if (watch_) watch_->Committed(newest_ ? StreamTime(*newest_) : "");
  if (!newest_) return;
  alert::Bucket& here = dead_[*newest_];
  here.messages += static_cast<double>(batch.rows.size() + batch.dead_letters.size());
  here.dead_letters += static_cast<double>(batch.dead_letters.size());

  const int64_t now = *newest_;
  // Dead letters count only in trailing windows, which the last span (up to now) holds; rules
  // of departments alone read no ten-second span.
  const std::vector<alert::Span> spans = evaluator_.TenSecondSpans(now);
  dead_.erase(dead_.begin(), spans.empty() ? dead_.end() : dead_.lower_bound(spans.back().from));
  if (!Restore()) return;
  std::vector<store::AlertRecord> changes = std::move(unrecorded_);
  unrecorded_.clear();
  alert::Series buckets = dead_;
  std::map<std::string, alert::Series> departments;
  if (Status s = Read(now, &buckets, &departments); !s.ok()) {
    if (!warned_) LogWarn("alerts: " + s.message() + " (tried again next batch)");
    warned_ = true;
    unrecorded_ = std::move(changes);
    return;
  }
  for (const alert::Transition& t : evaluator_.Evaluate(now, buckets, departments)) {
    const auto rule = std::find_if(evaluator_.rules().begin(), evaluator_.rules().end(),
                                   [&](const alert::Rule& r) { return r.name == t.rule; });
    store::AlertRecord record{AlertRuleKey(t.rule, t.department),
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
