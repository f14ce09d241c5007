// Original-time pacing: due times follow the data's clock, but no row can stall the replay.
#include "pipeline/replay.h"

#include <gtest/gtest.h>

namespace shopstream::pipeline {
namespace {

TEST(OriginalPaceTest, FollowsEventTimeAtTheSpeedup) {
  OriginalPace pace(/*speedup=*/10, /*max_gap_seconds=*/60);
  EXPECT_EQ(pace.Due("2019-11-01 00:00:00 UTC"), 0.0);
  EXPECT_EQ(pace.Due("2019-11-01 00:00:10 UTC"), 1.0);
  EXPECT_EQ(pace.Due("2019-11-01 00:01:40 UTC"), 10.0);
  EXPECT_EQ(pace.Due("2019-11-01 00:00:20 UTC"), 2.0);  // earlier: already due
}

TEST(OriginalPaceTest, UnreadableTimesGoAtOnceAndJumpsAreNotWaitedFor) {
  OriginalPace pace(/*speedup=*/1, /*max_gap_seconds=*/60);
  EXPECT_EQ(pace.Due("0000-01-01 00:00:00"), std::nullopt);
  EXPECT_EQ(pace.Due("2019-02-29 10:00:00"), std::nullopt);
  EXPECT_EQ(pace.Due("2019-11-01 00:00:00"), 0.0);
  EXPECT_EQ(pace.Due("2019-11-01 00:00:30"), 30.0);
  EXPECT_EQ(pace.Due("9999-12-31 23:59:59"), 30.0);  // 8,000 years ahead: not waited for
  EXPECT_EQ(pace.Due("2019-11-01 00:00:45"), 30.0);  // and back: paced again from here
  EXPECT_EQ(pace.Due("2019-11-01 00:00:55"), 40.0);
  EXPECT_EQ(pace.Due("2019-11-01 00:00:50"), 35.0);  // a little earlier: due already
}

}  // namespace
}  // namespace shopstream::pipeline
