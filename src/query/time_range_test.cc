#include "query/time_range.h"

#include <gtest/gtest.h>

namespace shopstream::query {
namespace {

TEST(TimeRangeTest, ParsesTheAcceptedForms) {
  auto base = ParseUtcSeconds("2019-11-08 08:14:53");
  ASSERT_TRUE(base.ok());
  EXPECT_EQ(*ParseUtcSeconds("2019-11-08T08:14:53Z"), *base);
  EXPECT_EQ(*ParseUtcSeconds("2019-11-08 08:14:53 UTC"), *base);
  EXPECT_EQ(*ParseUtcSeconds("2019-11-08 08:14:53.123456"), *base);
  EXPECT_EQ(*ParseUtcSeconds("2019-11-08 08:14"), *base - 53);
  EXPECT_EQ(*ParseUtcSeconds("1970-01-01"), 0);
  EXPECT_EQ(*ParseUtcSeconds("2000-03-01"), 951868800);
}

TEST(TimeRangeTest, RefusesWhatIsNotATime) {
  for (const char* bad : {"", "2019-11-08 8:14", "2019-13-01", "2019-02-30", "2019-11-08 24:00",
                          "2019-11-08 08:14:53.", "yesterday", "2019-11-08 08:14'; DROP"}) {
    EXPECT_FALSE(ParseUtcSeconds(bad).ok()) << bad;
  }
  EXPECT_TRUE(ParseUtcSeconds("2020-02-29").ok());
}

TEST(TimeRangeTest, RangeRoundsOutwardToWholeMinutes) {
  auto r = ParseTimeRange("2019-11-08 08:14:53", "2019-11-08 08:20:01");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(FormatMinuteBucket(*r->from), "2019-11-08 08:14");
  EXPECT_EQ(FormatMinuteBucket(*r->to), "2019-11-08 08:21");
  auto open = ParseTimeRange("", "");
  ASSERT_TRUE(open.ok());
  EXPECT_FALSE(open->from.has_value());
  EXPECT_FALSE(open->to.has_value());
  EXPECT_FALSE(ParseTimeRange("2019-11-08 09:00", "2019-11-08 08:00").ok());
  EXPECT_FALSE(ParseTimeRange("2019-11-08 09:00", "2019-11-08 09:00").ok());
}

TEST(TimeRangeTest, FormatsBucketsOfEachGranularity) {
  int64_t m = *ParseMinuteBucket("2019-11-08 08:14");
  EXPECT_EQ(FormatMinuteBucket(m), "2019-11-08 08:14");
  EXPECT_EQ(FormatHourBucket(m), "2019-11-08 08");
  EXPECT_EQ(FormatDayBucket(m), "2019-11-08");
  EXPECT_EQ(FormatHourBucket(CeilTo(m, Granularity::kHour)), "2019-11-08 09");
  EXPECT_EQ(FormatHourBucket(FloorTo(m, Granularity::kHour)), "2019-11-08 08");
  EXPECT_EQ(FormatDayBucket(CeilTo(m, Granularity::kDay)), "2019-11-09");
  EXPECT_FALSE(ParseMinuteBucket("2019-11-08 08").ok());
}

TEST(TimeRangeTest, TenSecondBucketsAreTheFirst18CharactersOfATime) {
  const int64_t s = *ParseUtcSeconds("2019-11-08 08:14:59");
  EXPECT_EQ(FormatTenSecondBucket(s), "2019-11-08 08:14:5");
  EXPECT_EQ(FormatTenSecondBucket(s + 1), "2019-11-08 08:15:0");
  EXPECT_EQ(FormatTenSecondBucket(-1), "1969-12-31 23:59:5");
  EXPECT_EQ(*ParseTenSecondBucket("2019-11-08 08:14:5"), s - 9);
  EXPECT_FALSE(ParseTenSecondBucket("2019-11-08 08:14:6").ok());
  EXPECT_FALSE(ParseTenSecondBucket("2019-11-08 08:14").ok());
  const int64_t m = s / 60;
  EXPECT_EQ(FormatBucket(m, Granularity::kTenSeconds), "2019-11-08 08:14:0");
  EXPECT_EQ(CountBuckets(m, m + 2, Granularity::kTenSeconds), 12);
  EXPECT_EQ(FloorTo(m, Granularity::kTenSeconds), m);
  EXPECT_STREQ(GranularityName(Granularity::kTenSeconds), "second");
}

TEST(TimeRangeTest, GranularityFollowsTheSpan) {
  EXPECT_EQ(ChooseGranularity(1), Granularity::kTenSeconds);
  EXPECT_EQ(ChooseGranularity(60), Granularity::kTenSeconds);
  EXPECT_EQ(ChooseGranularity(61), Granularity::kMinute);
  EXPECT_EQ(ChooseGranularity(6 * 60), Granularity::kMinute);
  EXPECT_EQ(ChooseGranularity(24 * 60), Granularity::kHour);
  EXPECT_EQ(ChooseGranularity(30 * 24 * 60), Granularity::kHour);
  EXPECT_EQ(ChooseGranularity(60 * 24 * 60), Granularity::kDay);
}

TEST(TimeRangeTest, MonthsAndYearsFollowTheCalendar) {
  int64_t m = *ParseMinuteBucket("2019-11-08 08:14");
  EXPECT_EQ(FormatBucket(m, Granularity::kMonth), "2019-11");
  EXPECT_EQ(FormatBucket(m, Granularity::kYear), "2019");
  EXPECT_EQ(FormatMinuteBucket(FloorTo(m, Granularity::kMonth)), "2019-11-01 00:00");
  EXPECT_EQ(FormatMinuteBucket(CeilTo(m, Granularity::kMonth)), "2019-12-01 00:00");
  EXPECT_EQ(FormatMinuteBucket(CeilTo(m, Granularity::kYear)), "2020-01-01 00:00");
  int64_t feb = *ParseMinuteBucket("2020-02-10 00:00");
  EXPECT_EQ(FormatMinuteBucket(
                BucketStart(BucketIndex(feb, Granularity::kMonth) + 1, Granularity::kMonth)),
            "2020-03-01 00:00");
  EXPECT_EQ(CountBuckets(m, CeilTo(m, Granularity::kYear), Granularity::kMonth), 2);
  EXPECT_EQ(CountBuckets(kFirstMinute, kEndOfTime, Granularity::kYear), 10000);
  EXPECT_EQ(CountBuckets(m, m, Granularity::kDay), 0);
  EXPECT_EQ(FormatMinuteBucket(kFirstMinute), "0000-01-01 00:00");
  EXPECT_EQ(FormatMinuteBucket(kEndOfTime - 1), "9999-12-31 23:59");
}

TEST(TimeRangeTest, TheWidestRangeEndsAtTheEndOfTime) {
  auto r = ParseTimeRange("0000-01-01", "9999-12-31 23:59:59");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r->from, kFirstMinute);
  EXPECT_EQ(*r->to, kEndOfTime);
}

TEST(TimeRangeTest, ImpossibleBucketsFloorToTheLastRealMinuteBefore) {
  auto floor = [](const char* text) {
    auto m = FloorMinuteBucket(text);
    return m.ok() ? FormatMinuteBucket(*m) : m.status().message();
  };
  EXPECT_EQ(floor("2019-02-30 10:00"), "2019-02-28 23:59");
  EXPECT_EQ(floor("2019-04-31 00:00"), "2019-04-30 23:59");
  EXPECT_EQ(floor("2020-02-29 10:07"), "2020-02-29 10:07");  // a real leap day
  EXPECT_EQ(floor("2019-13-01 00:00"), "2019-12-31 23:59");
  EXPECT_EQ(floor("2019-00-10 00:00"), "2018-12-31 23:59");
  EXPECT_EQ(floor("2019-03-00 12:00"), "2019-02-28 23:59");
  EXPECT_EQ(floor("2019-03-05 24:00"), "2019-03-05 23:59");
  EXPECT_EQ(floor("2019-03-05 10:61"), "2019-03-05 10:59");
  EXPECT_EQ(floor("0000-00-00 00:00"), "0000-01-01 00:00");  // nothing earlier exists
  EXPECT_FALSE(FloorMinuteBucket("2019-03-05 10").ok());
  EXPECT_FALSE(FloorMinuteBucket("2019-03-05T10:00").ok());
  EXPECT_FALSE(FloorMinuteBucket("20x9-03-05 10:00").ok());
}

}  // namespace
}  // namespace shopstream::query
