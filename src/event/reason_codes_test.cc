// Every way the decoder and the contract refuse a message gets its code and field where the rule
// is decided (Status::WithReason), whatever its message says; CodeOfReason, kept for the rows of
// stores made before codes existed, still reads the old wordings.
#include <gtest/gtest.h>

#include <set>
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

// What decoding and cleaning `message` gives.
Status StatusOf(const std::string& message, LongText policy = LongText::kRefuse) {
  EventDecoder decoder;
  Event e;
  Status s = decoder.Decode(message, &e);
  CleanedEvent row;
  if (s.ok()) s = CleanInto(&e, &row, policy);
  return s;
}

// The reason decoding and cleaning `message` gives ("" when it passes).
std::string ReasonOf(const std::string& message, LongText policy = LongText::kRefuse) {
  return StatusOf(message, policy).message();
}

Event GoodEvent() {
  Event e;
  e.id = "6b1f7e2c-0000-11ef-8000-0242ac120002";
  e.event_time = "2019-11-01 00:00:00";
  e.event_type = "view";
  e.price = 1;
  return e;
}

struct Case {
  std::string message;
  const char* code;
  const char* field;
};

TEST(ReasonCodes, EachRefusalHasItsCode) {
  const std::string wide(60, 'x');
  const Case cases[] = {
      {std::string(kMaxMessageBytes + 1, ' '), "message.too_large", ""},
      {Message("6b1f7e2c-0000-11ef-8000-0242ac120002", "2019-11-01 00:00:00", "view", "apple",
               "1e-50"),
       "price.range", "price"},
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
  std::set<std::string> given;
  for (const Case& c : cases) {
    const Status s = StatusOf(c.message);
    ASSERT_FALSE(s.ok()) << c.message;
    const ReasonCode code = CodeOfStatus(s);
    EXPECT_EQ(code.code, c.code) << s.message();
    EXPECT_EQ(code.field, c.field) << s.message();
    EXPECT_TRUE(IsReasonCode(code.code)) << code.code;
    given.insert(code.code);
  }

  // Refusals no JSON message reaches: the contract's text checks behind simdjson's own UTF-8
  // check (an Event built another way), and the cleaned widths.
  Event bad_utf8 = GoodEvent();
  bad_utf8.brand = std::string("a\xc3\x28");
  Status s = ConformEvent(&bad_utf8);
  EXPECT_EQ(s.reason_code(), "text.utf8");
  EXPECT_EQ(s.reason_field(), "brand");
  given.insert(s.reason_code());
  Event nul_session = GoodEvent();
  nul_session.user_session = std::string("a\0b", 3);
  s = ConformEvent(&nul_session);
  EXPECT_EQ(s.reason_code() + " " + s.reason_field(), "text.nul user_session");
  CleanedEvent row;
  row.product = std::string(51, 'p');
  s = CheckCleanedWidths(&row);
  EXPECT_EQ(s.reason_code() + " " + s.reason_field(), "text.too_long product");
  Event tiny = GoodEvent();
  tiny.price = 1e-50;
  EXPECT_EQ(ConformEvent(&tiny).reason_code(), "price.range");
  Event fraction = GoodEvent();
  fraction.event_time = "2019-11-01 00:00:00.1234567890";
  EXPECT_EQ(ConformEvent(&fraction).reason_code(), "event_time.format");

  // Every code is given somewhere: by the decoder and the contract, or by the processor.
  given.insert(std::string(kStoreRefused));
  given.insert(std::string(kBusRetention));
  given.insert("other");  // a status no rule labelled
  std::set<std::string> all(ReasonCodes().begin(), ReasonCodes().end());
  EXPECT_EQ(given, all);
}

// The code travels with the status: a message reworded (or quoting another rule's wording)
// keeps the code its rule gave, which reading the text could not promise.
TEST(ReasonCodes, ARewordedReasonKeepsItsCode) {
  const Status reworded = Status::InvalidArgument("the date does not exist")
                              .WithReason("event_time.calendar", "event_time");
  EXPECT_EQ(CodeOfStatus(reworded).code, "event_time.calendar");
  EXPECT_EQ(CodeOfStatus(reworded).field, "event_time");
  EXPECT_EQ(CodeOfReason(reworded.message()).code, "other");  // what reading the text gave
  const Status misleading = Status::InvalidArgument("not JSON: brand 'x' is not valid UTF-8")
                                .WithReason("price.range", "price");
  EXPECT_EQ(CodeOfStatus(misleading).code, "price.range");
  EXPECT_EQ(CodeOfStatus(Status::InvalidArgument("no label")).code, "other");
  // Copies and Result keep it.
  const Result<int> result(reworded);
  EXPECT_EQ(CodeOfStatus(result.status()).code, "event_time.calendar");
}

// The old wordings CodeOfReason reads (only for rows of stores made before codes existed).
TEST(ReasonCodes, OldWordingsOfOlderStores) {
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
  EXPECT_EQ(
      CodeOfStatus(StatusOf(Message("6b1f7e2c-0000-11ef-8000-0242ac120002", "2019-11-01 00:00:00",
                                    "view", std::string(40, 'x') + "' is not valid UTF-8")))
          .code,
      "text.too_long");
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
