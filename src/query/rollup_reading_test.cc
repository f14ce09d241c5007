#include "query/rollup_reading.h"

#include <gtest/gtest.h>

namespace shopstream::query {
namespace {

SeriesSpan SpanOf(const TimeRange& range, const DataExtent& extent) {
  auto span = SeriesSpanFor(range, extent);
  EXPECT_TRUE(span.ok()) << span.status().ToString();
  EXPECT_TRUE(span->has_value());
  return span->value_or(SeriesSpan{});
}

TimePoint Point(const char* bucket, int64_t events) {
  TimePoint p{bucket, {}};
  p.values.events = events;
  return p;
}

TEST(RollupReadingTest, SpansOfEveryWidthStayWithinThePointLimit) {
  const DataExtent extent{"0000-01-01 00:00", "9999-12-31 23:59"};
  for (const auto& [from, to] :
       std::vector<std::pair<const char*, const char*>>{{"2019-11-08", "2019-11-08 05:00"},
                                                        {"2019-11-01", "2019-12-01"},
                                                        {"2019-01-01", "2021-01-01"},
                                                        {"1900-01-01", "2000-01-01"},
                                                        {"1000-01-01", "9999-12-31"},
                                                        {"0000-01-01", "9999-12-31 23:59:59"}}) {
    auto range = ParseTimeRange(from, to);
    ASSERT_TRUE(range.ok());
    SeriesSpan span = SpanOf(*range, extent);
    TimeSeries series = FillSeries(span, {});
    EXPECT_LE(static_cast<int64_t>(series.points.size()), kMaxSeriesPoints) << from << " " << to;
    EXPECT_GE(series.points.size(), 1u);
  }
  auto all = SpanOf(TimeRange{}, extent);
  EXPECT_EQ(all.granularity, Granularity::kYear);
  EXPECT_EQ(all.step, 20);
  TimeSeries series = FillSeries(all, {Point("0000", 1), Point("2019", 5), Point("9999", 2)});
  EXPECT_EQ(series.points.size(), 500u);
  EXPECT_EQ(series.points.front().bucket, "0000");
  EXPECT_EQ(series.points.front().values.events, 1);
  EXPECT_EQ(series.points[100].bucket, "2000");
  EXPECT_EQ(series.points[100].values.events, 5);
  EXPECT_EQ(series.points.back().bucket, "9980");
  EXPECT_EQ(series.points.back().values.events, 2);
}

TEST(RollupReadingTest, AnHourOrLessHasTenSecondPoints) {
  const DataExtent extent{"2019-11-08 08:00", "2019-11-08 08:00"};
  auto first_minute = SpanOf(TimeRange{}, extent);  // a stream's first minute
  EXPECT_EQ(first_minute.granularity, Granularity::kTenSeconds);
  EXPECT_EQ(first_minute.key_length, 18u);
  TimeSeries series =
      FillSeries(first_minute, {Point("2019-11-08 07:59:5", 9), Point("2019-11-08 08:00:0", 1),
                                Point("2019-11-08 08:00:3", 2), Point("2019-11-08 08:00:5", 3),
                                Point("2019-11-08 08:01:0", 9)});
  EXPECT_EQ(series.step, 10);
  ASSERT_EQ(series.points.size(), 6u);
  EXPECT_EQ(series.points[0].bucket, "2019-11-08 08:00:00");
  EXPECT_EQ(series.points[0].values.events, 1);
  EXPECT_EQ(series.points[1].values.events, 0);
  EXPECT_EQ(series.points[3].bucket, "2019-11-08 08:00:30");
  EXPECT_EQ(series.points[3].values.events, 2);
  EXPECT_EQ(series.points[5].values.events, 3);
  auto hour = SpanOf(*ParseTimeRange("2019-11-08 08:00", "2019-11-08 09:00"), extent);
  EXPECT_EQ(FillSeries(hour, {}).points.size(), 360u);
  auto more = SpanOf(*ParseTimeRange("2019-11-08 08:00", "2019-11-08 09:01"), extent);
  EXPECT_EQ(more.granularity, Granularity::kMinute);
  EXPECT_EQ(AtLeast(first_minute, Granularity::kMinute).key_length, 16u);
}

TEST(RollupReadingTest, LongRangesGoFromDaysToMonths) {
  const DataExtent extent{"2019-11-01 00:00", "2019-11-30 23:59"};
  auto days = SpanOf(*ParseTimeRange("2019-01-01", "2021-06-01"), extent);
  EXPECT_EQ(days.granularity, Granularity::kDay);
  auto months = SpanOf(*ParseTimeRange("2010-01-01", "2020-01-01"), extent);
  EXPECT_EQ(months.granularity, Granularity::kMonth);
  EXPECT_EQ(months.key_length, 7u);
  TimeSeries series = FillSeries(months, {Point("2019-11", 7)});
  EXPECT_EQ(series.points.size(), 120u);
  EXPECT_EQ(series.points[118].bucket, "2019-11");
  EXPECT_EQ(series.points[118].values.events, 7);
}

TEST(RollupReadingTest, ARowOnADateThatDoesNotExistCountsInThePointBefore) {
  // An older processor stored 2019-02-30; the extent's last minute is that text.
  const DataExtent extent{"2019-02-27 10:00", "2019-02-30 10:00"};
  SeriesSpan span = SpanOf(TimeRange{}, extent);
  EXPECT_EQ(span.granularity, Granularity::kHour);
  TimeSeries series = FillSeries(span, {Point("2019-02-27 10", 1), Point("2019-02-30 10", 4)});
  ASSERT_FALSE(series.points.empty());
  EXPECT_EQ(series.points.back().bucket, "2019-02-28 23");
  EXPECT_EQ(series.points.back().values.events, 4);
  int64_t total = 0;
  for (const auto& p : series.points) total += p.values.events;
  EXPECT_EQ(total, 5);
}

TEST(RollupReadingTest, BoundsAtTheEndOfTimeAreOpen) {
  auto range = ParseTimeRange("2019-11-01", "9999-12-31 23:59:30");
  ASSERT_TRUE(range.ok());
  for (Granularity g : {Granularity::kMinute, Granularity::kHour, Granularity::kDay}) {
    EXPECT_EQ(BoundsFor(*range, g).high, "~");
  }
  for (const RollupPart& part : SplitRange(*range, Granularity::kDay)) {
    EXPECT_LT(part.bounds.low, part.bounds.high) << part.table;
  }
  EXPECT_TRUE(CoversAll(*range, DataExtent{"2019-11-01 00:00", "2019-11-30 23:59"}));
}

}  // namespace
}  // namespace shopstream::query
