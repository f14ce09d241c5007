#include "event/json_codec.h"

#include <gtest/gtest.h>

#include "event/uuid.h"

namespace shopstream {
namespace {

// A message exactly as the seed's producer prints it (json.dumps of a pandas record).
constexpr const char* kSeedMessage =
    R"({"event_time": "2022-05-01 18:59:00.123456", "event_type": "view", "product_id": 16000290,)"
    R"( "category_id": 2053013558223962683, "category_code": NaN, "brand": "tefal", "price": 22.14,)"
    R"( "user_id": 547707147, "user_session": "57b0fa7e-fcf0-4a22-b537-07c59fdfeaa2",)"
    R"( "id": "d6b5e8a2-c9c1-11ec-8f5e-0242ac110002"})";

TEST(EventDecoderTest, DecodesTheSeedFormatWithNaN) {
  EventDecoder decoder;
  Event e;
  ASSERT_TRUE(decoder.Decode(kSeedMessage, &e).ok());
  EXPECT_EQ(e.event_time, "2022-05-01 18:59:00.123456");
  EXPECT_EQ(e.event_type, "view");
  EXPECT_EQ(e.product_id, 16000290);
  EXPECT_EQ(e.category_id, 2053013558223962683);
  EXPECT_FALSE(e.category_code.has_value());
  EXPECT_EQ(e.brand, "tefal");
  EXPECT_DOUBLE_EQ(e.price, 22.14);
  EXPECT_EQ(e.user_id, 547707147);
  EXPECT_EQ(e.user_session, "57b0fa7e-fcf0-4a22-b537-07c59fdfeaa2");
  EXPECT_EQ(e.id, "d6b5e8a2-c9c1-11ec-8f5e-0242ac110002");
}

TEST(EventDecoderTest, EncodeDecodeRoundTrip) {
  Event e;
  e.event_time = "2019-11-08 08:14:53 UTC";
  e.event_type = "purchase";
  e.product_id = 1004259;
  e.category_id = 2053013555631882655;
  e.category_code = "electronics.smartphone";
  e.brand = "say \"hi\" \\ back\nslash \xF0\x9F\x98\x80 NaN";
  e.price = 5;
  e.user_id = 1;
  e.id = Uuid1Generator().Next();
  std::string json;
  EncodeEventJson(e, &json);
  EXPECT_NE(json.find("\"price\": 5.0,"), std::string::npos) << json;
  EXPECT_NE(json.find("\"user_session\": NaN"), std::string::npos) << json;
  EventDecoder decoder;
  Event back;
  ASSERT_TRUE(decoder.Decode(json, &back).ok()) << json;
  EXPECT_EQ(back, e);
}

TEST(EventDecoderTest, AcceptsDigitStringsAndNull) {
  EventDecoder decoder;
  Event e;
  auto s = decoder.Decode(
      R"({"event_time":"2019-11-01 00:00:00 UTC","event_type":"cart","product_id":"12",)"
      R"("category_id":"34","category_code":null,"brand":null,"price":1.5,"user_id":"56",)"
      R"("user_session":null,"id":"x"})",
      &e);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(e.product_id, 12);
  EXPECT_EQ(e.user_id, 56);
  EXPECT_FALSE(e.brand.has_value());
}

TEST(EventDecoderTest, RejectsBadMessagesWithAReason) {
  std::string seed = kSeedMessage;
  const std::string bad[] = {
      "",
      "   ",
      seed.substr(0, seed.size() / 2),                                   // truncated
      "[1,2,3]",                                                         // not an object
      R"({"event_time": 5})",                                            // wrong type
      std::string(seed).replace(seed.find("16000290"), 8, "\"abc\""),    // wrong type
      std::string(seed).replace(seed.find("22.14"), 5, "\"22\""),        // price as string
      std::string(seed).replace(seed.find("\"view\""), 6, "{\"a\":1}"),  // nested
      seed + "garbage",                                                  // trailing
      std::string(seed).replace(seed.find("tefal"), 5, "te\xC3\x28l"),   // invalid UTF-8
      std::string(300 * 1024, 'x'),                                      // too large
      R"({"event_time": "2019-11-01 00:00:00 UTC"})",                    // fields missing
      std::string(seed).replace(seed.find("NaN"), 3, "NaNa"),            // not the token
  };
  EventDecoder decoder;
  for (const std::string& message : bad) {
    Event e;
    Status s = decoder.Decode(message, &e);
    EXPECT_FALSE(s.ok()) << message.substr(0, 200);
    EXPECT_FALSE(s.message().empty());
  }
  Event e;  // the decoder still works after failures
  EXPECT_TRUE(decoder.Decode(kSeedMessage, &e).ok());
}

TEST(Uuid1GeneratorTest, VersionOneAndUnique) {
  Uuid1Generator gen;
  std::string a = gen.Next(), b = gen.Next();
  EXPECT_NE(a, b);
  ASSERT_EQ(a.size(), 36u);
  EXPECT_EQ(a[14], '1');                                                      // version
  EXPECT_TRUE(a[19] == '8' || a[19] == '9' || a[19] == 'a' || a[19] == 'b');  // variant
}

}  // namespace
}  // namespace shopstream
