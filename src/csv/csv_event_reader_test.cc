#include "csv/csv_event_reader.h"

#include <gtest/gtest.h>

#include <cmath>
#include <map>

#include "csv/test_files.h"

namespace shopstream::csv {
namespace {

constexpr char kHeader[] =
    "event_time,event_type,product_id,category_id,category_code,brand,price,user_id,"
    "user_session\n";

std::unique_ptr<CsvEventReader> FromText(const std::string& body, EventReaderOptions options = {}) {
  auto reader = CsvEventReader::FromSource(MakeMemorySource(kHeader + body, "events.csv"), options);
  EXPECT_TRUE(reader.ok()) << reader.status().ToString();
  return std::move(reader).value();
}

TEST(EventFromFieldsTest, ParsesAllColumns) {
  std::vector<std::string_view> fields = {"2019-11-08 08:14:53 UTC",
                                          "view",
                                          "1004259",
                                          "2053013555631882655",
                                          "electronics.smartphone",
                                          "apple",
                                          "776.74",
                                          "568847318",
                                          "3fca063b-dbd6-4306-8c8f-be86cc369d6d"};
  Event event;
  event.id = "kept";
  ASSERT_TRUE(EventFromFields(fields, &event).ok());
  EXPECT_EQ(event.event_time, "2019-11-08 08:14:53 UTC");
  EXPECT_EQ(event.event_type, "view");
  EXPECT_EQ(event.product_id, 1004259);
  EXPECT_EQ(event.category_id, 2053013555631882655);
  EXPECT_EQ(event.category_code, "electronics.smartphone");
  EXPECT_EQ(event.brand, "apple");
  EXPECT_DOUBLE_EQ(event.price, 776.74);
  EXPECT_EQ(event.user_id, 568847318);
  EXPECT_EQ(event.user_session, "3fca063b-dbd6-4306-8c8f-be86cc369d6d");
  EXPECT_EQ(event.id, "kept");
}

TEST(EventFromFieldsTest, EmptyOptionalColumnsBecomeNullopt) {
  std::vector<std::string_view> fields = {
      "2019-11-08 08:14:53 UTC", "cart", "1", "2", "", "", "0.00", "3", ""};
  Event event;
  event.brand = "old";  // a reused Event must not keep old values
  ASSERT_TRUE(EventFromFields(fields, &event).ok());
  EXPECT_EQ(event.category_code, std::nullopt);
  EXPECT_EQ(event.brand, std::nullopt);
  EXPECT_EQ(event.user_session, std::nullopt);
  EXPECT_EQ(event.price, 0.0);
}

TEST(EventFromFieldsTest, BadNumbersNameTheColumnAndValue) {
  std::vector<std::string_view> fields = {"t", "view", "12x", "2", "", "", "1.5", "3", "s"};
  Event event;
  Status s = EventFromFields(fields, &event);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "product_id '12x' is not a number");
  fields[2] = "1";
  fields[6] = "";
  EXPECT_EQ(EventFromFields(fields, &event).message(), "price '' is not a number");
  for (const char* not_finite : {"nan", "inf", "-Infinity", "NAN"}) {
    fields[6] = not_finite;
    EXPECT_EQ(EventFromFields(fields, &event).message(),
              "price '" + std::string(not_finite) + "' is not a finite number");
  }
  fields[6] = "1.5";
  fields[7] = "9223372036854775808";  // does not fit in int64
  EXPECT_EQ(EventFromFields(fields, &event).code(), StatusCode::kInvalidArgument);
}

TEST(CsvEventReaderTest, SkipsAndCountsMalformedLines) {
  auto reader = FromText(
      "2019-11-01 00:00:00 UTC,view,1,2,a.b,x,1.00,3,s1\n"
      "2019-11-01 00:00:01 UTC,view,1,2,a.b,x,1.00,3\n"       // 8 fields
      "2019-11-01 00:00:02 UTC,view,one,2,a.b,x,1.00,3,s1\n"  // bad number
      "2019-11-01 00:00:03 UTC,cart,1,2,\"\",\"\",2.50,3,\"\"\n"
      "2019-11-01 00:00:04 UTC,view,1,2,\"a.b,x,1.00,3,s1\n");  // unterminated quote
  Event event;
  std::vector<std::string> times;
  for (;;) {
    Result<bool> got = reader->Next(&event);
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    if (!*got) break;
    times.push_back(event.event_time);
  }
  EXPECT_EQ(times,
            (std::vector<std::string>{"2019-11-01 00:00:00 UTC", "2019-11-01 00:00:03 UTC"}));
  EXPECT_EQ(reader->events_read(), 2u);
  EXPECT_EQ(reader->lines_skipped(), 3u);
  EXPECT_EQ(event.brand, std::nullopt);
}

TEST(CsvEventReaderTest, AStrayQuoteSpoilsItsOwnLineOnly) {
  // No column of the data holds a line break, so an open quote at a line end is a malformed
  // line; the lines after it are read as they are, not merged into one record.
  std::string body = "2019-11-01 00:00:00 UTC,view,1,2,\"a.b,x,1.00,3,s1\n";
  for (int i = 1; i <= 50; ++i) {
    body += "2019-11-01 00:00:0" + std::to_string(i % 10) + " UTC,view,1,2,a.b,x,1.00,3,s1\n";
  }
  auto reader = FromText(body, {.strict = true});
  Event event;
  Result<bool> got = reader->Next(&event);
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().message(), "events.csv:2: a quoted field runs past the end of the line");
  reader = FromText(body);
  int events = 0;
  while (true) {
    got = reader->Next(&event);
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    if (!*got) break;
    ++events;
  }
  EXPECT_EQ(events, 50);
  EXPECT_EQ(reader->lines_skipped(), 1u);
}

TEST(CsvEventReaderTest, StrictStopsAtTheFirstMalformedLineNamingFileAndLine) {
  auto reader = FromText(
      "2019-11-01 00:00:00 UTC,view,1,2,a.b,x,1.00,3,s1\n"
      "2019-11-01 00:00:02 UTC,view,1,2,a.b,x,price,3,s1\n",
      {.strict = true});
  Event event;
  ASSERT_TRUE(reader->Next(&event).ok());
  Result<bool> got = reader->Next(&event);
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().code(), StatusCode::kCorruption);
  EXPECT_EQ(got.status().message(), "events.csv:3: price 'price' is not a number");
}

TEST(CsvEventReaderTest, WrongHeaderIsInvalidArgument) {
  auto reader = CsvEventReader::FromSource(MakeMemorySource("time,type\n1,2\n", "other.csv"), {});
  ASSERT_FALSE(reader.ok());
  EXPECT_EQ(reader.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(reader.status().message().find("other.csv:1: the header is 'time,type'"),
            std::string::npos);
}

TEST(CsvEventReaderTest, MissingFileIsNotFoundNamingIt) {
  auto reader = CsvEventReader::Open("/no/such/2019-Nov.csv");
  ASSERT_FALSE(reader.ok());
  EXPECT_EQ(reader.status().code(), StatusCode::kNotFound);
  EXPECT_NE(reader.status().message().find("/no/such/2019-Nov.csv"), std::string::npos);
}

TEST(CsvEventReaderTest, ReadsTheRealTenThousandRowSample) {
  auto reader = CsvEventReader::Open(testing::SampleZipPath(), {.strict = true});
  ASSERT_TRUE(reader.ok()) << reader.status().ToString()
                           << " (set SHOPSTREAM_SAMPLE_ZIP to the 10K sample zip)";
  std::map<std::string, int> by_type;
  double revenue = 0;
  int rows = 0, no_code = 0;
  Event event;
  for (;;) {
    Result<bool> got = (*reader)->Next(&event);
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    if (!*got) break;
    ++rows;
    ++by_type[event.event_type];
    if (event.event_type == "purchase") revenue += event.price;
    if (!event.category_code) ++no_code;
  }
  EXPECT_EQ(rows, 10034);
  EXPECT_EQ(by_type["view"], 9397);
  EXPECT_EQ(by_type["cart"], 486);
  EXPECT_EQ(by_type["purchase"], 151);
  EXPECT_NEAR(revenue, 41989.74, 0.005);
  EXPECT_EQ(no_code, 3258);
  EXPECT_EQ((*reader)->lines_skipped(), 0u);
  EXPECT_EQ((*reader)->bytes_consumed(), (*reader)->total_bytes());
}

}  // namespace
}  // namespace shopstream::csv
