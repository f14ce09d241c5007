#include "event/event_time.h"

#include <gtest/gtest.h>

namespace shopstream {
namespace {

TEST(EventTime, ParsesTheDataSetsFormats) {
  // 2019-11-08 08:14:53 UTC = 1573200893 s (date -u -d '2019-11-08 08:14:53' +%s).
  EXPECT_EQ(ParseEventTimeMicros("2019-11-08 08:14:53 UTC").value(), 1573200893'000000);
  EXPECT_EQ(ParseEventTimeMicros("2019-11-08 08:14:53").value(), 1573200893'000000);
  EXPECT_EQ(ParseEventTimeMicros("2019-11-08T08:14:53Z").value(), 1573200893'000000);
  EXPECT_EQ(ParseEventTimeMicros("2019-11-08 08:14:53+00:00").value(), 1573200893'000000);
  EXPECT_EQ(ParseEventTimeMicros("2019-11-08 08:14:53.123456").value(), 1573200893'123456);
  EXPECT_EQ(ParseEventTimeMicros("2019-11-08 08:14:53.5 UTC").value(), 1573200893'500000);
  EXPECT_EQ(ParseEventTimeMicros("2019-11-08 08:14:53.123456789").value(), 1573200893'123456);
  EXPECT_EQ(ParseEventTimeMicros("1970-01-01 00:00:00").value(), 0);
  EXPECT_EQ(ParseEventTimeMicros("1969-12-31 23:59:59").value(), -1'000000);
  EXPECT_FALSE(ParseEventTimeMicros("0999-12-31 23:59:59").ok());  // DATETIME's range
}

TEST(EventTime, ChecksTheCalendar) {
  EXPECT_TRUE(ParseEventTimeMicros("2020-02-29 00:00:00").ok());
  EXPECT_TRUE(ParseEventTimeMicros("2000-02-29 00:00:00").ok());
  for (const char* bad : {"2019-02-29 00:00:00", "1900-02-29 00:00:00", "2019-11-31 10:00:00",
                          "2019-13-01 10:00:00", "2019-00-01 10:00:00", "0000-01-01 00:00:00",
                          "2019-11-08 24:00:00", "2019-11-08 23:60:00", "2019-11-08 23:59:60"}) {
    auto r = ParseEventTimeMicros(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_NE(r.status().message().find(bad), std::string::npos) << r.status().message();
  }
}

TEST(EventTime, RefusesWhatIsNotATimestamp) {
  for (const char* bad : {"", "NaN", "2019-11-08", "2019-11-08 08:14", "2019/11/08 08:14:53",
                          "2019-11-08 08:14:53 CET", "2019-11-08 08:14:53.", "x019-11-08 08:14:53",
                          "2019-11-08 08:14:53 UTC trailing", "2019-1a-08 08:14:53"}) {
    EXPECT_FALSE(ParseEventTimeMicros(bad).ok()) << bad;
  }
}

TEST(EventTime, UtcDateOfMicros) {
  EXPECT_EQ(UtcDateOfMicros(1573200893'123456), "2019-11-08");
  EXPECT_EQ(UtcDateOfMicros(0), "1970-01-01");
  EXPECT_EQ(UtcDateOfMicros(-1), "1969-12-31");
  EXPECT_EQ(UtcDateOfMicros(ParseEventTimeMicros("2019-11-30 23:59:59.999999").value()),
            "2019-11-30");
  EXPECT_EQ(UtcDateOfMicros(ParseEventTimeMicros("2019-12-01 00:00:00").value()), "2019-12-01");
  EXPECT_EQ(UtcDateOfMicros(ParseEventTimeMicros("1000-01-01 00:00:00").value()), "1000-01-01");
  EXPECT_EQ(UtcDateOfMicros(ParseEventTimeMicros("9999-12-31 23:59:59").value()), "9999-12-31");
  // Every day of four years round-trips through its midnight.
  for (int64_t day = 17'000; day < 17'000 + 4 * 366; ++day) {
    std::string date = UtcDateOfMicros(day * 86'400'000'000);
    EXPECT_EQ(ParseEventTimeMicros(date + " 00:00:00").value(), day * 86'400'000'000) << date;
  }
}

}  // namespace
}  // namespace shopstream
