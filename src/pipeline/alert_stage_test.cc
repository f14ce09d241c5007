// The alert stage against an in-memory store: a department's alert is kept as RULE/DEPARTMENT,
// and an alert that fires when the processor restarts is resolved once, never fired again.
#include "pipeline/alert_stage.h"

#include <gtest/gtest.h>

#include <tuple>

#include "query/time_range.h"

namespace shopstream::pipeline {
namespace {

// Keeps what the alert stage reads (ten-second and department-minute counts) and the alerts
// table, keyed like the SQL stores' (rule, stream time, state).
class AlertStore : public store::ProcessedStore {
 public:
  Status Init() override { return Status::Ok(); }
  using store::ProcessedStore::Commit;
  Status Commit(const store::ProcessedBatch& b, store::CommitCounts*) override {
    for (const CleanedEvent& e : b.rows) {
      ++ten_[{e.event_time.substr(0, 18), e.event_type}];
      ++minutes_[{e.event_time.substr(0, 16), e.department, e.event_type}];
    }
    return Status::Ok();
  }
  Result<OffsetMap> LoadOffsets(const std::string&, const std::vector<int32_t>&) override {
    return OffsetMap{};
  }
  Result<std::vector<store::TenSecondCounts>> ReadTenSecondCounts(const std::string& first,
                                                                  const std::string& end) override {
    std::vector<store::TenSecondCounts> out;
    for (const auto& [key, n] : ten_) {
      const auto& [bucket, type] = key;
      if (bucket >= first && (end.empty() || bucket < end)) out.push_back({bucket, type, n, 0});
    }
    return out;
  }
  Result<std::vector<store::DepartmentMinuteCounts>> ReadDepartmentMinutes(
      const std::string& first, const std::string& end) override {
    std::vector<store::DepartmentMinuteCounts> out;
    for (const auto& [key, n] : minutes_) {
      const auto& [bucket, department, type] = key;
      if (bucket >= first && (end.empty() || bucket < end)) {
        out.push_back({bucket, department, type, n, 0});
      }
    }
    return out;
  }
  Status RecordAlerts(const std::vector<store::AlertRecord>& changes) override {
    for (const store::AlertRecord& a : changes) alerts_.emplace(std::tie(a.rule, a.at, a.state), a);
    return Status::Ok();
  }
  Result<std::vector<store::AlertRecord>> LoadLatestAlerts() override {
    std::map<std::string, std::string> latest;
    for (const auto& [key, a] : alerts_) latest[a.rule] = std::max(latest[a.rule], a.at);
    std::vector<store::AlertRecord> out;
    for (const auto& [key, a] : alerts_) {
      if (latest[a.rule] == a.at) out.push_back(a);
    }
    return out;
  }

  // "rule state stream_time", in stream time.
  std::vector<std::string> Alerts() const {
    std::vector<std::pair<std::string, std::string>> rows;
    for (const auto& [key, a] : alerts_) rows.emplace_back(a.at, a.rule + " " + a.state);
    std::sort(rows.begin(), rows.end());
    std::vector<std::string> out;
    for (const auto& [at, what] : rows) out.push_back(what + " " + at);
    return out;
  }

 private:
  std::map<std::pair<std::string, std::string>, int64_t> ten_;
  std::map<std::tuple<std::string, std::string, std::string>, int64_t> minutes_;
  std::map<std::tuple<std::string, std::string, std::string>, store::AlertRecord> alerts_;
};

constexpr int64_t kStart = 1574251200;  // 2019-11-20 12:00:00

std::string Time(int64_t second) { return query::FormatTenSecondBucket(second / 10 * 10) + "0"; }

CleanedEvent Row(int64_t second, const std::string& type, const std::string& department) {
  static int id = 0;
  CleanedEvent e;
  e.id = std::to_string(++id);
  e.event_time = Time(second);
  e.event_type = type;
  e.department = department;
  return e;
}

// Committed to the store, then handed to each stage (as the processor does after a commit).
void Commit(AlertStore& store, std::vector<AlertStage*> stages, std::vector<CleanedEvent> rows) {
  store::ProcessedBatch batch;
  batch.rows = std::move(rows);
  ASSERT_TRUE(store.Commit(batch).ok());
  for (AlertStage* stage : stages) stage->AfterCommit(batch);
}

// A view every ten seconds in [from, to).
std::vector<CleanedEvent> Views(int64_t from, int64_t to) {
  std::vector<CleanedEvent> rows;
  for (int64_t t = from; t < to; t += 10) rows.push_back(Row(t, "view", "kids"));
  return rows;
}

TEST(AlertStage, AnAlertFiringAtARestartIsResolvedOnceAndNotFiredAgain) {
  const auto rules = [] {
    return alert::ParseRules("z: events zero window=60s baseline=10m", "t").value();
  };
  AlertStore store;
  {
    AlertStage stage(store, rules());
    Commit(store, {&stage}, Views(kStart, kStart + 600));
    Commit(store, {&stage}, {Row(kStart + 700, "view", "kids")});  // a gap: fires at 660
  }
  ASSERT_EQ(store.Alerts(), std::vector<std::string>{"z fired " + Time(kStart + 660)});
  // Restarted: the last batch read again (its offsets were not stored), then the stream goes on.
  AlertStage stage(store, rules());
  Commit(store, {&stage}, {Row(kStart + 700, "view", "kids")});
  Commit(store, {&stage}, Views(kStart + 710, kStart + 720));
  Commit(store, {&stage}, Views(kStart + 720, kStart + 800));
  EXPECT_EQ(store.Alerts(), (std::vector<std::string>{"z fired " + Time(kStart + 660),
                                                      "z resolved " + Time(kStart + 710)}));
  EXPECT_EQ(stage.fired(), 0);
}

// A minute of a department: `views` views and `purchases` purchases spread over it.
std::vector<CleanedEvent> Minute(int64_t start, const std::string& department, int views,
                                 int purchases) {
  std::vector<CleanedEvent> rows;
  for (int i = 0; i < views; ++i) rows.push_back(Row(start + i * 60 / views, "view", department));
  for (int i = 0; i < purchases; ++i) {
    rows.push_back(Row(start + 5 + i * 50 / purchases, "purchase", department));
  }
  return rows;
}

std::vector<CleanedEvent> Minutes(int64_t start, int electronics_purchases) {
  std::vector<CleanedEvent> rows = Minute(start, "electronics", 20, electronics_purchases);
  for (CleanedEvent& e : Minute(start, "kids", 20, 2)) rows.push_back(std::move(e));
  return rows;
}

TEST(AlertStage, ADepartmentsAlertNamesItAndSurvivesARestart) {
  const auto rules = [] {
    return alert::ParseRules("c: conversion drop 40% window=5m baseline=30m by=department min=50",
                             "t")
        .value();
  };
  AlertStore store;
  std::vector<std::string> posted;
  int64_t m = kStart;
  {
    AlertStage stage(store, rules());
    stage.OnChange([&](const store::AlertRecord& r) { posted.push_back(AlertChangeJson(r)); });
    for (; m < kStart + 40 * 60; m += 60) Commit(store, {&stage}, Minutes(m, 2));  // 10 %
    for (; m < kStart + 48 * 60; m += 60) Commit(store, {&stage}, Minutes(m, 0));  // nothing
  }
  // Fired when fewer than 6 of the window's 100 views bought: 3 minutes without a purchase.
  const std::string fired = "c/electronics fired " + Time(kStart + 43 * 60);
  ASSERT_EQ(store.Alerts(), std::vector<std::string>{fired});
  ASSERT_EQ(posted.size(), 1u);
  EXPECT_NE(posted[0].find("\"rule\":\"c/electronics\""), std::string::npos) << posted[0];
  EXPECT_NE(posted[0].find("\"department\":\"electronics\""), std::string::npos) << posted[0];
  AlertStage stage(store, rules());
  Commit(store, {&stage}, Minutes(m - 60, 0));  // read again
  for (; m < kStart + 60 * 60; m += 60) Commit(store, {&stage}, Minutes(m, 2));
  const std::vector<std::string> alerts = store.Alerts();
  ASSERT_EQ(alerts.size(), 2u);
  EXPECT_EQ(alerts[0], fired);
  EXPECT_EQ(alerts[1].rfind("c/electronics resolved ", 0), 0u) << alerts[1];
}

}  // namespace
}  // namespace shopstream::pipeline
