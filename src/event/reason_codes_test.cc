// Every way the decoder and the contract refuse a message gets its code and field, from the
// reason they really give (not from hand-written reasons), so that a rewording that loses its
// code fails here.
#include <gtest/gtest.h>

#include <string>

#include "event/clean.h"
#include "event/contract.h"
#include "event/json_codec.h"

namespace shopstream {
namespace {

std::string Message(const std::string& id = "6b1f7e2c-0000-11ef-8000-0242ac120002",
                    const std::string& time = "2019-11-08 08:14:53 UTC",
                    const std::string& type = "view", const std::string& brand = "apple",
                    const std::string& price = "776.74") {
  return R"({"event_time":")" + time + R"(","event_type":")" + type +
         R"(","product_id":1,"category_id":2,"category_code":"electronics.smartphone","brand":")" +
         brand + R"(","price":)" + price + R"(,"user_id":3,"user_session":"s","id":")" + id +
         R"("})";
}

// The reason decoding and cleaning `message` gives ("" when it passes).
std::string ReasonOf(const std::string& message, LongText policy = LongText::kRefuse) {
  EventDecoder decoder;
  Event e;
  Status s = decoder.Decode(message, &e);
  CleanedEvent row;
  if (s.ok()) s = CleanInto(&e, &row, policy);
  return s.ok() ? "" : s.message();
}

struct Case {
  std::string message;
  const char* code;
  const char* field;
};

TEST(ReasonCodes, EachRefusalHasItsCode) {
  const std::string wide(60, 'x');
  const Case cases[] = {
      {"{not json", "json.syntax", ""},
      {"", "json.syntax", ""},
      {"[1,2,3]", "json.shape", ""},
      {"{\"brand\":\"\xc3\x28\"}", "text.utf8", ""},
      {R"({"event_type":"view"})", "field.missing", "event_time"},
      {Message().replace(Message().find(R"("id")"), 4, R"("idx")"), "field.missing", "id"},
      {Message("6b1f7e2c-0000-11ef-8000-0242ac120002", "2019-11-08 08:14:53 UTC", "view", "apple",
               "\"cheap\""),
       "field.type", "price"},
      {Message("not-a-uuid"), "id.format", "id"},
      {Message("6b1f7e2c-0000-11ef-8000-0242ac120002", "yesterday"), "event_time.format",
       "event_time"},
      {Message("6b1f7e2c-0000-11ef-8000-0242ac120002", "2019-02-30 00:00:00"),
       "event_time.calendar", "event_time"},
      {Message("6b1f7e2c-0000-11ef-8000-0242ac120002", "2019-13-01 00:00:00"),
       "event_time.calendar", "event_time"},
      {Message("6b1f7e2c-0000-11ef-8000-0242ac120002", "2019-11-01 25:00:00"),
       "event_time.calendar", "event_time"},
      {Message("6b1f7e2c-0000-11ef-8000-0242ac120002", "0999-11-01 00:00:00"), "event_time.range",
       "event_time"},
      {Message("6b1f7e2c-0000-11ef-8000-0242ac120002", "2019-11-01 00:00:00+02:00"),
       "event_time.zone", "event_time"},
      {Message("6b1f7e2c-0000-11ef-8000-0242ac120002", "2019-11-01 00:00:00", ""), "text.empty",
       "event_type"},
      {Message("6b1f7e2c-0000-11ef-8000-0242ac120002", "2019-11-01 00:00:00", std::string(21, 'v')),
       "text.too_long", "event_type"},
      {Message("6b1f7e2c-0000-11ef-8000-0242ac120002", "2019-11-01 00:00:00", "view", wide),
       "text.too_long", "brand"},
      {Message("6b1f7e2c-0000-11ef-8000-0242ac120002", "2019-11-01 00:00:00", "view", "a\\u0000b"),
       "text.nul", "brand"},
      {Message("6b1f7e2c-0000-11ef-8000-0242ac120002", "2019-11-01 00:00:00", "view", "apple",
               "-1"),
       "price.range", "price"},
      {Message("6b1f7e2c-0000-11ef-8000-0242ac120002", "2019-11-01 00:00:00", "view", "apple",
               "1e39"),
       "price.range", "price"},
  };
  for (const Case& c : cases) {
    const std::string reason = ReasonOf(c.message);
    ASSERT_FALSE(reason.empty()) << c.message;
    const ReasonCode code = CodeOfReason(reason);
    EXPECT_EQ(code.code, c.code) << reason;
    EXPECT_EQ(code.field, c.field) << reason;
    EXPECT_TRUE(IsReasonCode(code.code)) << code.code;
  }
}

TEST(ReasonCodes, ProcessorAndStoreWordings) {
  EXPECT_EQ(CodeOfReason("the processed store refused the row: mysql://a@h/db: value of "
                         "'price' is not valid UTF-8")
                .code,
            "store.refused");
  EXPECT_EQ(CodeOfReason("offsets 5 to 9 were deleted by the bus's retention before they were "
                         "read")
                .code,
            "bus.retention");
  EXPECT_EQ(CodeOfReason("message of 2000000 bytes is larger than the limit of 1048576").code,
            "message.too_large");
  EXPECT_EQ(CodeOfReason("something new").code, "other");
  EXPECT_FALSE(IsReasonCode("json"));
}

// A value that spells another rule's marker does not change the code: markers are read after it.
TEST(ReasonCodes, HostileValuesKeepTheirCode) {
  const std::string reason =
      ReasonOf(Message("6b1f7e2c-0000-11ef-8000-0242ac120002", "2019-11-01 00:00:00", "view",
                       std::string(40, 'x') + "' is not valid UTF-8 refused the row"));
  EXPECT_EQ(CodeOfReason(reason).code, "text.too_long") << reason;
}

TEST(ReasonCodes, TruncatePolicyKeepsTheFirst50Characters) {
  EventDecoder decoder;
  Event e;
  std::string brand = std::string(48, 'x') + "\xc3\xa9\xc3\xa9\xc3\xa9";
  ASSERT_TRUE(decoder
                  .Decode(Message("6b1f7e2c-0000-11ef-8000-0242ac120002", "2019-11-01 00:00:00",
                                  "view", brand),
                          &e)
                  .ok());
  CleanedEvent row;
  ASSERT_TRUE(CleanInto(&e, &row, LongText::kTruncate).ok());
  EXPECT_EQ(row.brand, std::string(48, 'x') + "\xc3\xa9\xc3\xa9");  // 50 characters, 52 bytes
  EXPECT_EQ(ReasonOf(Message("6b1f7e2c-0000-11ef-8000-0242ac120002", "2019-11-01 00:00:00", "view",
                             brand)),
            "brand '" + std::string(40, 'x') +
                "...' has 51 characters after cleaning; the seed's "
                "column holds 50");
}

}  // namespace
}  // namespace shopstream
