#include "query/hour_runs.h"

#include <gtest/gtest.h>

#include <vector>

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

TEST(HourRuns, WholeDaysAreBlocksOfDays) {
  // 2019-11-01 is day 18201: a day, then 2019-11-02 and 03 as two days, then four days.
  const auto runs = HourRuns(kDay0, kDay0 + 7 * kMinutesPerDay);
  ASSERT_EQ(runs.size(), 3u);
  EXPECT_EQ(runs[0].span, 24);
  EXPECT_EQ(runs[1].span, 48);
  EXPECT_EQ(runs[2].span, 96);
  EXPECT_EQ(runs[2].end, kDay0 + 7 * kMinutesPerDay);
}

// A week from 10:00: its six whole days are one block of two days and one of four.
TEST(HourRuns, AWeekFromTenReadsItsWholeDaysAsTwoBlocks) {
  const auto runs = HourRuns(kDay0 + 10 * kHour, kDay0 + 7 * kMinutesPerDay + 11 * kHour);
  std::vector<int> spans;
  for (const HourRun& run : runs) spans.push_back(run.span);
  EXPECT_EQ(spans, (std::vector<int>{1, 12, 48, 96, 3, 1}));
}

// Ranges of up to nine days from every hour of four days (every phase of the blocks of days):
// covered once, each block aligned, at most two blocks of one or more days on each side of the
// longest.
TEST(HourRuns, LongRangesCoverEveryHourOnceWithFewBlocksOfDays) {
  for (int64_t from = 0; from < 96; ++from) {
    for (int64_t to = from + 72; to < from + 216; to += 7) {
      const auto runs = HourRuns(kDay0 + from * kHour, kDay0 + to * kHour);
      int64_t at = kDay0 + from * kHour;
      int64_t day_blocks = 0;
      for (const HourRun& run : runs) {
        EXPECT_EQ(run.first, at);
        EXPECT_EQ(run.first % (run.span * kHour), 0);
        EXPECT_EQ((run.end - run.first) % (run.span * kHour), 0);
        if (run.span >= 24) day_blocks += (run.end - run.first) / (run.span * kHour);
        at = run.end;
      }
      EXPECT_EQ(at, kDay0 + to * kHour);
      EXPECT_LE(day_blocks, 5) << from << " " << to;
    }
  }
}

// A store without one or both block tables: the same week from 10:00 reads only the blocks it
// has, still covering every hour once.
TEST(HourRuns, AStoreWithoutBlockTablesReadsOnlyWhatItHas) {
  const int64_t first = kDay0 + 10 * kHour, end = kDay0 + 7 * kMinutesPerDay + 11 * kHour;
  const auto spans_of = [&](BlockTables tables) {
    std::vector<int> spans;
    int64_t at = first;
    for (const HourRun& run : HourRuns(first, end, tables)) {
      EXPECT_EQ(run.first, at);
      EXPECT_EQ(run.first % (run.span * kHour), 0);
      EXPECT_EQ((run.end - run.first) % (run.span * kHour), 0);
      at = run.end;
      spans.push_back(run.span);
    }
    EXPECT_EQ(at, end);
    return spans;
  };
  EXPECT_EQ(spans_of({.within_days = true, .of_days = false}), (std::vector<int>{1, 12, 24, 3, 1}));
  EXPECT_EQ(spans_of({.within_days = false, .of_days = true}), (std::vector<int>{1, 48, 96, 1}));
  const auto hours = HourRuns(first, end, {.within_days = false, .of_days = false});
  ASSERT_EQ(hours.size(), 1u);
  EXPECT_EQ(hours[0].span, 1);
  EXPECT_EQ(hours[0].first, first);
  EXPECT_EQ(hours[0].end, end);
}

}  // namespace
}  // namespace shopstream::query
