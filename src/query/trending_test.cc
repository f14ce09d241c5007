#include "query/trending.h"

#include <gtest/gtest.h>

namespace shopstream::query {
namespace {

NamedBreakdown Row(const char* name, const char* department, int64_t views, double revenue) {
  NamedBreakdown row{name, department, {}};
  row.values.views = views;
  row.values.events = views;
  row.values.revenue = revenue;
  return row;
}

TEST(TrendingTest, DepartmentsCountTheLastMinutesExactly) {
  const int64_t last = *ParseUtcSeconds("2019-11-08 10:07") / 60;
  TrendWindows w = TrendWindowFor(TrendDimension::kDepartment, 15, last);
  EXPECT_FALSE(w.whole_hours);
  EXPECT_EQ(FormatMinuteBucket(*w.current.from), "2019-11-08 09:53");
  EXPECT_EQ(FormatMinuteBucket(*w.current.to), "2019-11-08 10:08");
  EXPECT_EQ(*w.previous.to, *w.current.from);
  EXPECT_EQ(FormatMinuteBucket(*w.previous.from), "2019-11-08 09:38");
}

TEST(TrendingTest, BrandsAndProductsCountWholeHoursTheNewestStillFilling) {
  const int64_t last = *ParseUtcSeconds("2019-11-08 10:07") / 60;
  TrendWindows quarter = TrendWindowFor(TrendDimension::kBrand, 15, last);
  EXPECT_TRUE(quarter.whole_hours);
  EXPECT_EQ(FormatMinuteBucket(*quarter.current.from), "2019-11-08 10:00");
  EXPECT_EQ(FormatMinuteBucket(*quarter.current.to), "2019-11-08 11:00");
  EXPECT_EQ(FormatMinuteBucket(*quarter.previous.from), "2019-11-08 09:00");
  TrendWindows day = TrendWindowFor(TrendDimension::kProduct, 1440, last);
  EXPECT_EQ(FormatMinuteBucket(*day.current.from), "2019-11-07 11:00");
  EXPECT_EQ(FormatMinuteBucket(*day.previous.from), "2019-11-06 11:00");
}

TEST(TrendingTest, TopByValueRisingByIncrease) {
  const std::vector<NamedBreakdown> now = {
      Row("tv", "electronics", 50, 10), Row("phone", "electronics", 80, 900),
      Row("shoes", "apparel", 30, 0), Row("tv", "appliances", 5, 0)};
  const std::vector<NamedBreakdown> before = {
      Row("tv", "electronics", 10, 0), Row("phone", "electronics", 100, 0),
      Row("tv", "appliances", 1, 0), Row("gone", "kids", 9, 0)};
  Trending t;
  RankTrends(now, before, TrendMetric::kViews, 3, &t);
  ASSERT_EQ(t.top.size(), 3u);
  EXPECT_EQ(t.top[0].name, "phone");
  EXPECT_EQ(t.top[0].value, 80);
  EXPECT_EQ(t.top[0].previous, 100);
  EXPECT_DOUBLE_EQ(*t.top[0].change, -0.2);
  EXPECT_EQ(t.top[1].name, "tv");
  EXPECT_EQ(t.top[2].name, "shoes");
  ASSERT_EQ(t.rising.size(), 3u);     // phone fell, gone is not in the window
  EXPECT_EQ(t.rising[0].name, "tv");  // +40
  EXPECT_DOUBLE_EQ(*t.rising[0].change, 4.0);
  EXPECT_EQ(t.rising[1].name, "shoes");  // +30, new
  EXPECT_FALSE(t.rising[1].change.has_value());
  EXPECT_EQ(t.rising[2].department, "appliances");  // the same name in another department
  EXPECT_EQ(t.rising[2].previous, 1);

  RankTrends(now, before, TrendMetric::kRevenue, 10, &t);
  ASSERT_EQ(t.top.size(), 2u);  // names with no revenue are not ranked
  EXPECT_EQ(t.top[0].name, "phone");
  EXPECT_EQ(t.rising[0].name, "phone");
}

}  // namespace
}  // namespace shopstream::query
