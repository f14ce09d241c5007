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

TEST(HourBlocks, MalformedHourIsReadAsMidnight) {
  EXPECT_EQ(HourBlockOf("2019-11-01 x5", 3), "2019-11-01 00");
}

}  // namespace
}  // namespace shopstream
