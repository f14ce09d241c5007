#include "query/hour_runs.h"

#include <gtest/gtest.h>

#include "query/time_range.h"

namespace shopstream::query {
namespace {

constexpr int64_t kHour = kMinutesPerHour;
constexpr int64_t kDay0 = 18201 * kMinutesPerDay;  // 2019-11-01 00:00

TEST(HourRuns, ADayFromTenIsHoursThenBlocksThenHours) {
  const auto runs = HourRuns(kDay0 + 10 * kHour, kDay0 + 34 * kHour);
  ASSERT_EQ(runs.size(), 4u);
  EXPECT_EQ(runs[0].span, 1);
  EXPECT_EQ(runs[0].first, kDay0 + 10 * kHour);
  EXPECT_EQ(runs[0].end, kDay0 + 12 * kHour);
  EXPECT_EQ(runs[1].span, 12);
  EXPECT_EQ(runs[1].end, kDay0 + 24 * kHour);
  EXPECT_EQ(runs[2].span, 3);
  EXPECT_EQ(runs[2].first, kDay0 + 24 * kHour);
  EXPECT_EQ(runs[2].end, kDay0 + 33 * kHour);
  EXPECT_EQ(runs[3].span, 1);
  EXPECT_EQ(runs[3].end, kDay0 + 34 * kHour);
}

TEST(HourRuns, CoverEveryHourOnceWithAlignedBlocks) {
  for (int64_t from = 0; from < 48; ++from) {
    for (int64_t to = from; to < from + 80; ++to) {
      const auto runs = HourRuns(kDay0 + from * kHour, kDay0 + to * kHour);
      int64_t at = kDay0 + from * kHour;
      for (const HourRun& run : runs) {
        EXPECT_EQ(run.first, at);
        EXPECT_GT(run.end, run.first);
        EXPECT_EQ(run.first % (run.span * kHour), 0);
        EXPECT_EQ((run.end - run.first) % (run.span * kHour), 0);
        at = run.end;
      }
      EXPECT_EQ(at, kDay0 + to * kHour);
      EXPECT_LE(runs.size(), 7u) << from << " " << to;
    }
  }
}

TEST(HourRuns, WholeDaysAreOneRun) {
  const auto runs = HourRuns(kDay0, kDay0 + 7 * kMinutesPerDay);
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(runs[0].span, 24);
}

}  // namespace
}  // namespace shopstream::query
