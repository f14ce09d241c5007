#include "event/contract.h"

#include <gtest/gtest.h>

#include <cfloat>
#include <cmath>
#include <limits>

namespace shopstream {
namespace {

Event GoodEvent() {
  Event e;
  e.id = "6b1f7e2c-0000-11ef-8000-0242ac120002";
  e.event_time = "2019-11-08 08:14:53 UTC";
  e.event_type = "view";
  e.product_id = 1004259;
  e.category_id = 2053013555631882655;
  e.category_code = "electronics.smartphone";
  e.brand = "apple";
  e.price = 776.74;
  e.user_id = 568847318;
  e.user_session = "d0f8ec11-5bd0-4b4e-a4b8-7a5f4a6a8d4c";
  return e;
}

// The reason ConformEvent gives, or "" when the event conforms.
std::string ReasonFor(Event e) {
  Status s = ConformEvent(&e);
  return s.ok() ? "" : s.message();
}

struct TimeCase {
  const char* text;
  const char* reason_part;  // "" when the time is accepted
};

const TimeCase kTimes[] = {
    {"2019-11-08 08:14:53 UTC", ""},
    {"2019-11-08T08:14:53Z", ""},
    {"2019-11-08 08:14:53+00:00", ""},
    {"2019-11-08 08:14:53.123456789", ""},
    {"2019-11-08 08:14:53.1234567890", "fraction of 10 digits"},
    {"2019-11-08 08:14:53.", "fraction of 0 digits"},
    {"2020-02-29 10:00:00 UTC", ""},  // leap year
    {"2000-02-29 10:00:00 UTC", ""},  // divisible by 400
    {"2019-02-29 10:00:00 UTC", "2019-02 has 28 days"},
    {"1900-02-29 10:00:00 UTC", "1900-02 has 28 days"},
    {"2019-04-31 10:00:00", "2019-04 has 30 days"},
    {"2019-02-30 10:00:00", "2019-02 has 28 days"},
    {"2019-00-10 10:00:00", "month 0"},
    {"2019-13-10 10:00:00", "month 13"},
    {"2019-11-00 10:00:00", "has 30 days"},
    {"2019-11-08 24:00:00", "not a time of day"},
    {"2019-11-08 23:60:00", "not a time of day"},
    {"2019-11-08 23:59:60", "not a time of day"},
    {"0000-01-01 00:00:00", "year 0, outside"},
    {"0999-12-31 23:59:59", "year 999, outside"},
    {"1000-01-01 00:00:00", ""},
    {"9999-12-31 23:59:59", ""},
    {"10000-01-01 00:00:00", "is not a time"},
    {"2019-11-08 08:14:53 CET", "only UTC times"},
    {"2019-11-08 08:14:53 UTC junk", "only UTC times"},
    {"2019-11-08", "is not a time"},
    {"2019-1a-08 08:14:53", "is not a time"},
    {"", "is not a time"},
};

TEST(ContractTest, EventTimeIsARealCalendarTimeInDatetimeRange) {
  for (const TimeCase& c : kTimes) {
    Event e = GoodEvent();
    e.event_time = c.text;
    const std::string reason = ReasonFor(e);
    if (*c.reason_part == '\0') {
      EXPECT_EQ(reason, "") << c.text;
    } else {
      EXPECT_NE(reason.find(c.reason_part), std::string::npos) << c.text << " -> " << reason;
      EXPECT_EQ(reason.rfind("event_time '", 0), 0u) << reason;
    }
  }
}

TEST(ContractTest, ParsedTimeFormatsAsDatetime) {
  auto t = ParseEventTime("2020-02-29T23:59:59.5Z");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(FormatDateTime(*t), "2020-02-29 23:59:59");
}

TEST(ContractTest, PriceIsAFiniteFloatThatIsNotNegative) {
  const struct {
    double price;
    const char* reason_part;
  } cases[] = {
      {0, ""},
      {-0.0, ""},
      {std::numeric_limits<double>::denorm_min(), "below FLOAT's smallest value"},
      {1e-46, "below FLOAT's smallest value"},
      {1e-45, ""},
      {FLT_MAX, ""},
      {std::nextafter(static_cast<double>(FLT_MAX), 1e300), "above FLOAT"},
      {1e39, "price 1e+39 is above FLOAT"},
      {-5, "price -5 is negative"},
      {-1e-300, "negative"},
      {std::numeric_limits<double>::quiet_NaN(), "not a finite number"},
      {std::numeric_limits<double>::infinity(), "not a finite number"},
      {-std::numeric_limits<double>::infinity(), "not a finite number"},
  };
  for (const auto& c : cases) {
    Event e = GoodEvent();
    e.price = c.price;
    const std::string reason = ReasonFor(e);
    if (*c.reason_part == '\0') {
      EXPECT_EQ(reason, "") << c.price;
    } else {
      EXPECT_NE(reason.find(c.reason_part), std::string::npos) << c.price << " -> " << reason;
    }
  }
}

TEST(ContractTest, NegativeZeroIsStoredAsZero) {
  Event e = GoodEvent();
  e.price = -0.0;
  ASSERT_TRUE(ConformEvent(&e).ok());
  EXPECT_FALSE(std::signbit(e.price));
}

TEST(ContractTest, IdIsAUuidKeptInLowerCase) {
  Event e = GoodEvent();
  e.id = "6B1F7E2C-0000-11EF-8000-0242AC120002";
  ASSERT_TRUE(ConformEvent(&e).ok());
  EXPECT_EQ(e.id, "6b1f7e2c-0000-11ef-8000-0242ac120002");
  for (const char* bad :
       {"", "not-a-uuid", "6b1f7e2c000011ef80000242ac120002",
        "6b1f7e2c-0000-11ef-8000-0242ac12000g", "6b1f7e2c-0000-11ef-8000-0242ac1200021",
        "6b1f7e2c-0000-11ef-8000-0242ac12-002", "6b1f7e2c-0000-11ef-8000-0242ac12000\xff",
        "-b1f7e2c-0000-11ef-8000-0242ac120002", "6b1f7e2c-0000-11ef-8000-0242ac120002\n"}) {
    e = GoodEvent();
    e.id = bad;
    EXPECT_NE(ReasonFor(e).find("is not a UUID"), std::string::npos) << bad;
  }
}

TEST(ContractTest, TextIsValidUtf8) {
  Event e = GoodEvent();
  e.user_session = "x\xFF";
  EXPECT_EQ(ReasonFor(e), "user_session 'x\\xFF' is not valid UTF-8");
  e = GoodEvent();
  e.category_code = "a.\xED\xA0\x80";  // a surrogate
  EXPECT_NE(ReasonFor(e).find("is not valid UTF-8"), std::string::npos);
  e = GoodEvent();
  e.brand = "\xF0\x9F\x9B\x92 caf\xC3\xA9";  // 4-byte and 2-byte UTF-8 are fine
  EXPECT_EQ(ReasonFor(e), "");
  // Control characters are text: every store holds them, every output escapes them.
  e.brand = std::string("a\tb\x1B[31m\x7F");
  EXPECT_EQ(ReasonFor(e), "");
  // But not NUL, which PostgreSQL's text cannot hold.
  e.brand = std::string("a\0b", 3);
  EXPECT_EQ(ReasonFor(e), "brand 'a\\x00b' holds a NUL character");
}

TEST(ContractTest, EventTypeHasOneToTwentyCharacters) {
  Event e = GoodEvent();
  e.event_type = "";
  EXPECT_NE(ReasonFor(e).find("has 0 characters"), std::string::npos);
  e.event_type = std::string(20, 'v');
  EXPECT_EQ(ReasonFor(e), "");
  e.event_type = std::string(10, 'v');
  for (int i = 0; i < 10; ++i) e.event_type += "\xC3\xA9";  // 20 characters, 30 bytes
  EXPECT_EQ(ReasonFor(e), "");
  e.event_type += "v";
  EXPECT_NE(ReasonFor(e).find("has 21 characters"), std::string::npos);
}

TEST(ContractTest, ReasonsQuoteValuesShortAndEscaped) {
  Event e = GoodEvent();
  e.event_time = std::string(1000, 'x');
  const std::string reason = ReasonFor(e);
  EXPECT_LT(reason.size(), 120u);
  EXPECT_NE(reason.find("...'"), std::string::npos);
}

TEST(ContractTest, CleanedWidthsCountCharacters) {
  CleanedEvent row;
  row.department = row.product = "x";
  row.brand = std::string(50, 'b');
  EXPECT_TRUE(CheckCleanedWidths(&row).ok());
  row.brand += "b";
  EXPECT_FALSE(CheckCleanedWidths(&row).ok());
}

}  // namespace
}  // namespace shopstream
