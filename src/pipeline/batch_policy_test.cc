// The batch policy on a fake clock: each decision is asked at a given time, no sleeps.
#include "pipeline/batch_policy.h"

#include <gtest/gtest.h>

namespace shopstream::pipeline {
namespace {

using std::chrono::milliseconds;
using Clock = BatchPolicy::Clock;

const Clock::time_point t0 = Clock::time_point() + std::chrono::hours(1);
constexpr CommitState kIdle{};
const CommitState kBusySinceT0{.idle = false, .queued = false, .busy_since = t0};

BatchPolicy Opened(size_t max_batch = 1000) {
  BatchPolicy p(
      {.trigger = milliseconds(1000), .linger = milliseconds(50), .max_batch = max_batch});
  p.Open(t0);
  return p;
}

TEST(BatchPolicy, AFullBatchClosesAtOnce) {
  BatchPolicy p = Opened(100);
  EXPECT_TRUE(p.ShouldClose(t0 + milliseconds(1), 100, 100, kBusySinceT0));
  EXPECT_FALSE(p.ShouldClose(t0 + milliseconds(1), 99, 99, kBusySinceT0));
}

TEST(BatchPolicy, AnEmptyBatchNeverClosesButExpiresAtTheTrigger) {
  BatchPolicy p = Opened();
  EXPECT_FALSE(p.ShouldClose(t0 + milliseconds(5000), 0, 0, kIdle));
  EXPECT_FALSE(p.EmptyExpired(t0 + milliseconds(999)));
  EXPECT_TRUE(p.EmptyExpired(t0 + milliseconds(1000)));
}

TEST(BatchPolicy, AQuietBusClosesTheBatchAfterOneEmptyPoll) {
  BatchPolicy p = Opened();
  // Young, committer busy: still open while messages keep coming...
  EXPECT_FALSE(p.ShouldClose(t0 + milliseconds(10), 5, 5, kBusySinceT0));
  // ...closed by a poll that brought nothing (caught up), whatever the committer does.
  EXPECT_TRUE(p.ShouldClose(t0 + milliseconds(20), 5, 0, kBusySinceT0));
}

TEST(BatchPolicy, ASteadyStreamClosesAtTheLingerWhenTheCommitterIsIdle) {
  BatchPolicy p = Opened();
  EXPECT_FALSE(p.ShouldClose(t0 + milliseconds(49), 200, 10, kIdle));
  EXPECT_TRUE(p.ShouldClose(t0 + milliseconds(50), 200, 10, kIdle));
}

TEST(BatchPolicy, ABusyCommitterHoldsTheBatchUntilTheTrigger) {
  BatchPolicy p = Opened();
  EXPECT_FALSE(p.ShouldClose(t0 + milliseconds(999), 900, 10, kBusySinceT0));
  EXPECT_TRUE(p.ShouldClose(t0 + milliseconds(1000), 900, 10, kBusySinceT0));
}

TEST(BatchPolicy, ClosesSoThatItsRawWriteOverlapsTheEndOfTheCommitInHand) {
  BatchPolicy p = Opened();
  p.RecordRaw(milliseconds(100));
  p.RecordCommit(milliseconds(300));
  // The commit in hand began at t0 and should take 300 ms; a raw write takes 100 ms: from
  // t0 + 200 ms on, this batch's raw write would end after that commit.
  EXPECT_FALSE(p.ShouldClose(t0 + milliseconds(199), 500, 10, kBusySinceT0));
  EXPECT_TRUE(p.ShouldClose(t0 + milliseconds(200), 500, 10, kBusySinceT0));
  // Behind a queued batch it would wait for two commits: it keeps filling.
  const CommitState queued{.idle = false, .queued = true, .busy_since = t0};
  EXPECT_FALSE(p.ShouldClose(t0 + milliseconds(200), 500, 10, queued));
}

TEST(BatchPolicy, NothingIsEstimatedBeforeBothWereMeasured) {
  BatchPolicy p = Opened();
  p.RecordCommit(milliseconds(10));
  EXPECT_FALSE(p.ShouldClose(t0 + milliseconds(900), 500, 10, kBusySinceT0));
  p.RecordRaw(milliseconds(10));
  EXPECT_TRUE(p.ShouldClose(t0 + milliseconds(900), 500, 10, kBusySinceT0));
}

TEST(BatchPolicy, OneSlowCommitMovesTheEstimateWithoutReplacingIt) {
  BatchPolicy p = Opened();
  p.RecordCommit(milliseconds(100));
  p.RecordCommit(milliseconds(500));
  EXPECT_EQ(*p.commit_estimate(), milliseconds(200));
}

TEST(BatchPolicy, PollsWaitInSlicesAndNeverPastTheTrigger) {
  BatchPolicy p = Opened();
  EXPECT_EQ(p.NextWait(t0, 0), milliseconds(100));  // empty: a slice, for Ctrl-C
  EXPECT_EQ(p.NextWait(t0, 3), milliseconds(50));   // holding messages: the linger
  EXPECT_EQ(p.NextWait(t0 + milliseconds(980), 3), milliseconds(20));
  EXPECT_EQ(p.NextWait(t0 + milliseconds(2000), 3), milliseconds(1));  // past it: at least 1 ms
}

TEST(BatchPolicy, TheAgeCountsFromTheLastOpen) {
  BatchPolicy p = Opened();
  p.Open(t0 + milliseconds(5000));
  EXPECT_FALSE(p.ShouldClose(t0 + milliseconds(5040), 10, 10, kIdle));
  EXPECT_TRUE(p.ShouldClose(t0 + milliseconds(5050), 10, 10, kIdle));
}

}  // namespace
}  // namespace shopstream::pipeline
