// The stall watch on a clock of the test's own: no commit for the window while a batch waits
// fires once; the next commit resolves it; an idle stream is not a stalled one; a store that
// cannot be reached keeps the change for the next look; the real thread looks by itself.
#include "pipeline/stall_watch.h"

#include <gtest/gtest.h>

#include <atomic>

namespace shopstream::pipeline {
namespace {

using std::chrono::seconds;

// Keeps the alert changes; refuses them while `down`.
class AlertsOnly : public store::ProcessedStore {
 public:
  struct Shared {
    std::mutex mu;
    std::vector<std::string> rows;  // "state stream_time value"
    bool down = false;
    int opened = 0;
  };
  explicit AlertsOnly(Shared& shared) : shared_(shared) {}
  Status Init() override { return Status::Ok(); }
  using store::ProcessedStore::Commit;
  Status Commit(const store::ProcessedBatch&, store::CommitCounts*) override {
    return Status::Ok();
  }
  Result<OffsetMap> LoadOffsets(const std::string&, const std::vector<int32_t>&) override {
    return OffsetMap{};
  }
  Status RecordAlerts(const std::vector<store::AlertRecord>& changes) override {
    std::lock_guard lock(shared_.mu);
    if (shared_.down) return Status::Unavailable("the store is down");
    for (const store::AlertRecord& a : changes) {
      EXPECT_EQ(a.rule, "stalled");
      EXPECT_EQ(a.metric, "commits");
      shared_.rows.push_back(a.state + " " + a.at + " " + std::to_string(int(a.value)));
    }
    return Status::Ok();
  }

 private:
  Shared& shared_;
};

struct Fixture {
  AlertsOnly::Shared shared;
  StallWatch::Clock::time_point now{};
  StallWatch watch{"stalled", seconds(120),
                   [this]() -> Result<std::unique_ptr<store::ProcessedStore>> {
                     ++shared.opened;
                     return std::unique_ptr<store::ProcessedStore>(new AlertsOnly(shared));
                   },
                   [this] { return now; }};
};

TEST(StallWatch, NoCommitForTheWindowWhileABatchWaitsFiresOnceAndACommitResolves) {
  Fixture f;
  f.watch.Committed("2019-11-20 12:00:00");
  f.watch.Submitted();
  f.now += seconds(119);
  f.watch.Look();
  EXPECT_EQ(f.shared.opened, 0);  // nothing to record: the store is not opened
  f.now += seconds(1);
  f.watch.Look();
  f.now += seconds(60);
  f.watch.Look();  // still stalled: no second "fired"
  f.watch.Committed("2019-11-20 12:00:10");
  f.watch.Look();
  f.watch.Look();
  EXPECT_EQ(f.shared.rows, (std::vector<std::string>{"fired 2019-11-20 12:00:00 120",
                                                     "resolved 2019-11-20 12:00:10 0"}));
  EXPECT_EQ(f.shared.opened, 1);
}

TEST(StallWatch, AnIdleStreamIsNotStalled) {
  Fixture f;
  f.watch.Committed("2019-11-20 12:00:00");
  f.now += seconds(3600);  // nothing to commit for an hour
  f.watch.Look();
  f.watch.Submitted();  // then a batch: its wait starts now
  f.now += seconds(60);
  f.watch.Look();
  EXPECT_TRUE(f.shared.rows.empty());
}

TEST(StallWatch, AChangeTheStoreRefusedIsRecordedAtTheNextLook) {
  Fixture f;
  f.watch.Submitted();
  f.now += seconds(120);
  f.shared.down = true;
  f.watch.Look();
  EXPECT_TRUE(f.shared.rows.empty());
  f.shared.down = false;
  f.watch.Look();
  ASSERT_EQ(f.shared.rows.size(), 1u);
  EXPECT_EQ(f.shared.rows[0].rfind("fired ", 0), 0u);  // before any stream time: the wall clock
}

TEST(StallWatch, ARestoredStallIsResolvedByTheFirstCommit) {
  Fixture f;
  f.watch.RestoreFiring();
  f.watch.Committed("2019-11-20 12:00:10");
  f.watch.Look();
  EXPECT_EQ(f.shared.rows, std::vector<std::string>{"resolved 2019-11-20 12:00:10 0"});
}

TEST(StallWatch, ItsThreadLooksByItself) {
  AlertsOnly::Shared shared;
  std::atomic<int> changes = 0;
  StallWatch watch("stalled", std::chrono::milliseconds(20),
                   [&]() -> Result<std::unique_ptr<store::ProcessedStore>> {
                     return std::unique_ptr<store::ProcessedStore>(new AlertsOnly(shared));
                   });
  watch.OnChange([&](const store::AlertRecord&) { ++changes; });
  watch.Submitted();
  watch.Start(std::chrono::milliseconds(5));
  // Bounded poll on the outcome (a real clock and thread), at most 10 s.
  for (int i = 0; i < 2000 && changes == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  watch.Stop();
  std::lock_guard lock(shared.mu);
  ASSERT_EQ(shared.rows.size(), 1u);
  EXPECT_EQ(changes, 1);
}

}  // namespace
}  // namespace shopstream::pipeline
