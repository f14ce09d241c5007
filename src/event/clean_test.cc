#include "event/clean.h"

#include <gtest/gtest.h>

#include <optional>

namespace shopstream {
namespace {

struct CleanCase {
  const char* name;
  std::optional<std::string> category_code;
  std::optional<std::string> brand;
  const char* event_type;
  double price;
  const char* department;
  const char* product;
  const char* clean_brand;
  float revenue;
};

Event MakeEvent(const CleanCase& c) {
  Event e;
  e.id = "6b1f7e2c-0000-11ef-8000-0242ac120002";
  e.event_time = "2019-11-08 08:14:53 UTC";
  e.event_type = c.event_type;
  e.product_id = 1004259;
  e.category_id = 2053013555631882655;
  e.category_code = c.category_code;
  e.brand = c.brand;
  e.price = c.price;
  e.user_id = 568847318;
  return e;
}

const CleanCase kCases[] = {
    {"missing code", std::nullopt, "apple", "view", 10.5, "other", "other", "apple", 0},
    {"empty code", "", "apple", "view", 10.5, "other", "other", "apple", 0},
    {"one part", "apparel", "nike", "view", 1, "apparel", "apparel", "nike", 0},
    {"two parts", "electronics.smartphone", "apple", "cart", 776.74, "electronics", "smartphone",
     "apple", 0},
    {"three parts", "electronics.audio.headphone", "sony", "purchase", 99.99, "electronics",
     "headphone", "sony", 99.99f},
    {"four parts", "construction.tools.light.lamp", "bosch", "purchase", 12, "construction", "lamp",
     "bosch", 12},
    {"zero price purchase", "kids.toys", "lego", "purchase", 0, "kids", "toys", "lego", 0},
    {"missing brand", "kids.toys", std::nullopt, "view", 5, "kids", "toys", "other", 0},
    {"brand with dash and dot", "kids.toys", "dr.koffer-x", "view", 5, "kids", "toys",
     "dr.koffer-x", 0},
    {"literal NaN text", "NaN", "NaN", "view", 5, "other", "other", "other", 0},
    {"NaN inside a brand", "a.b", "xNaNy", "view", 5, "a", "b", "xothery", 0},
    {"unknown event type", "a.b", "c", "wishlist", 5, "a", "b", "c", 0},
};

class CleanTableTest : public ::testing::TestWithParam<CleanCase> {};

TEST_P(CleanTableTest, FollowsTheSeedRules) {
  const CleanCase& c = GetParam();
  Event e = MakeEvent(c);
  auto cleaned = Clean(&e);
  ASSERT_TRUE(cleaned.ok()) << cleaned.status().ToString();
  EXPECT_EQ(cleaned->department, c.department);
  EXPECT_EQ(cleaned->product, c.product);
  EXPECT_EQ(cleaned->brand, c.clean_brand);
  EXPECT_FLOAT_EQ(cleaned->revenue, c.revenue);
  EXPECT_FLOAT_EQ(cleaned->price, static_cast<float>(c.price));
  EXPECT_EQ(cleaned->event_time, "2019-11-08 08:14:53");
  EXPECT_EQ(cleaned->event_type, c.event_type);
}

INSTANTIATE_TEST_SUITE_P(Seed, CleanTableTest, ::testing::ValuesIn(kCases), [](const auto& info) {
  std::string n = info.param.name;
  for (char& ch : n) {
    if (!isalnum(static_cast<unsigned char>(ch))) ch = '_';
  }
  return n;
});

TEST(CleanTest, EventTimeBecomesADatetime) {
  for (const auto& [given, stored] :
       {std::pair<const char*, const char*>{"2022-05-01 18:59:00.123456", "2022-05-01 18:59:00"},
        {"2019-11-30 23:59:59 UTC", "2019-11-30 23:59:59"},
        {"2019-11-30T23:59:59Z", "2019-11-30 23:59:59"}}) {
    Event e = MakeEvent(kCases[3]);
    e.event_time = given;
    auto cleaned = Clean(&e);
    ASSERT_TRUE(cleaned.ok()) << given;
    EXPECT_EQ(cleaned->event_time, stored);
    EXPECT_EQ(e.event_time, given);  // the raw event keeps the time as it came
  }
}

TEST(CleanTest, RejectsWhatCannotBeStoredVerbatim) {
  Event e = MakeEvent(kCases[3]);
  e.brand = std::string(51, 'b');
  EXPECT_FALSE(Clean(&e).ok());
  e = MakeEvent(kCases[3]);
  e.event_time = "not a time";
  EXPECT_FALSE(Clean(&e).ok());
  e = MakeEvent(kCases[3]);
  e.id.clear();
  EXPECT_FALSE(Clean(&e).ok());
  e = MakeEvent(kCases[3]);
  e.price = std::numeric_limits<double>::quiet_NaN();
  EXPECT_FALSE(Clean(&e).ok());
}

TEST(CleanTest, WidthsCountCharactersNotBytes) {
  std::string emoji50;
  for (int i = 0; i < 50; ++i) emoji50 += "\xF0\x9F\x9B\x92";  // U+1F6D2, 4 bytes each
  Event e = MakeEvent(kCases[3]);
  e.brand = emoji50;
  e.category_code = "\xC3\xA9" + std::string(49, 'x') + ".b";  // 50 characters, 51 bytes
  auto cleaned = Clean(&e);
  ASSERT_TRUE(cleaned.ok()) << cleaned.status().ToString();
  EXPECT_EQ(cleaned->brand, emoji50);
  e.brand = emoji50 + "!";
  auto refused = Clean(&e);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("brand '\xF0\x9F\x9B\x92"), std::string::npos);
  EXPECT_NE(refused.status().message().find(
                "has 51 characters after cleaning; the seed's column holds 50"),
            std::string::npos);
  e = MakeEvent(kCases[3]);
  e.event_type = std::string(20, 'v');
  EXPECT_TRUE(Clean(&e).ok());
  e.event_type += "v";
  EXPECT_FALSE(Clean(&e).ok());
}

TEST(CleanTest, RefusesInvalidUtf8) {
  Event e = MakeEvent(kCases[3]);
  e.brand = "bad \xED\xA0\x80 surrogate";
  auto refused = Clean(&e);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().message(), "brand 'bad \\xED\\xA0\\x80 surrogate' is not valid UTF-8");
  e = MakeEvent(kCases[3]);
  e.user_session = "\xFF";
  EXPECT_FALSE(Clean(&e).ok());
}

}  // namespace
}  // namespace shopstream
