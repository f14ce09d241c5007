#include "event/hour_blocks.h"

#include <gtest/gtest.h>

namespace shopstream {
namespace {

TEST(HourBlocks, BlockStartsAtItsFirstHourOfTheSameDay) {
  EXPECT_EQ(HourBlockOf("2019-11-01 00", 3), "2019-11-01 00");
  EXPECT_EQ(HourBlockOf("2019-11-01 05", 3), "2019-11-01 03");
  EXPECT_EQ(HourBlockOf("2019-11-01 23", 3), "2019-11-01 21");
  EXPECT_EQ(HourBlockOf("2019-11-01 11", 12), "2019-11-01 00");
  EXPECT_EQ(HourBlockOf("2019-11-01 12", 12), "2019-11-01 12");
  EXPECT_EQ(HourBlockOf("2019-11-01 23", 24), "2019-11-01 00");
}

TEST(HourBlocks, SpansNestAndDivideADay) {
  int previous = 1;
  for (int span : kHourBlockSpans) {
    EXPECT_EQ(span % previous, 0);
    EXPECT_EQ(24 % span, 0);
    EXPECT_EQ(HourBlockSpanText(span), std::to_string(span));
    previous = span;
  }
}

// Blocks of days count from 1970-01-01: 2019-11-01 is day 18201, 2019-10-31 day 18200 (a
// multiple of 4).
TEST(HourBlocks, DayBlocksStartAtTheirFirstDayCountedFromTheEpoch) {
  EXPECT_EQ(HourBlockOf("2019-11-01 13", 48), "2019-10-31 00");
  EXPECT_EQ(HourBlockOf("2019-11-02 00", 48), "2019-11-02 00");
  EXPECT_EQ(HourBlockOf("2019-11-03 23", 48), "2019-11-02 00");
  EXPECT_EQ(HourBlockOf("2019-11-03 23", 96), "2019-10-31 00");
  EXPECT_EQ(HourBlockOf("2019-11-04 00", 96), "2019-11-04 00");
  EXPECT_EQ(HourBlockOf("1970-01-05 07", 96), "1970-01-05 00");
  EXPECT_EQ(HourBlockOf("1969-12-31 07", 96), "1969-12-28 00");  // day -1: before the epoch too
  EXPECT_EQ(HourBlockOf("2020-03-01 10", 96), "2020-02-28 00");  // day 18322: across a leap day
}

TEST(HourBlocks, DaySpansNestAfterTheDaysAndHaveTheirOwnTable) {
  int previous = kHourBlockSpans.back();
  for (int span : kDayBlockSpans) {
    EXPECT_EQ(span % previous, 0);
    EXPECT_EQ(HourBlockSpanText(span), std::to_string(span));
    EXPECT_EQ(HourBlockTable(span), "rollup_days_brand_wide");
    previous = span;
  }
  for (int span : kHourBlockSpans) EXPECT_EQ(HourBlockTable(span), "rollup_block_brand_wide");
}

TEST(HourBlocks, MalformedHourIsReadAsMidnight) {
  EXPECT_EQ(HourBlockOf("2019-11-01 x5", 3), "2019-11-01 00");
}

}  // namespace
}  // namespace shopstream
