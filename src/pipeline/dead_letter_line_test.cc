#include "pipeline/dead_letter_line.h"

#include <gtest/gtest.h>

namespace shopstream::pipeline {
namespace {

TEST(DeadLetterLine, ReadsWhatExportWrites) {
  DeadLetterLineReader reader;
  auto line = reader.Parse(
      R"({"stream":"ecommerce","partition":2,"offset":41,"code":"json.syntax","message":"{\"a\":1}"})");
  ASSERT_TRUE(line.ok()) << line.status().ToString();
  EXPECT_EQ(line->key.stream, "ecommerce");
  EXPECT_EQ(line->key.partition, 2);
  EXPECT_EQ(line->key.offset, 41);
  EXPECT_EQ(line->payload, "{\"a\":1}");

  auto hex = reader.Parse(R"({"stream":"s","partition":0,"offset":7,"message_hex":"01ff7b"})");
  ASSERT_TRUE(hex.ok()) << hex.status().ToString();
  EXPECT_EQ(hex->payload, std::string("\x01\xff{", 3));
}

TEST(DeadLetterLine, RefusesWhatItCannotKey) {
  DeadLetterLineReader reader;
  const std::pair<const char*, const char*> cases[] = {
      {R"({"stream":"s","partition":0,"offset":1,"message":"x")", "not JSON"},
      {R"([1,2])", "not a JSON object"},
      {R"({"partition":0,"offset":1,"message":"x"})", "needs the provenance"},
      {R"({"stream":"s","partition":-1,"offset":1,"message":"x"})", "needs the provenance"},
      {R"({"stream":"s","partition":4294967296,"offset":1,"message":"x"})", "needs the provenance"},
      {R"({"stream":"s","partition":"0","offset":1,"message":"x"})", "needs the provenance"},
      {R"({"stream":"s","partition":0,"offset":1})", "needs \"message\""},
      {R"({"stream":"s","partition":0,"offset":1,"message_hex":"0g"})", "is not hex"},
  };
  for (const auto& [text, why] : cases) {
    auto line = reader.Parse(text);
    ASSERT_FALSE(line.ok()) << text;
    EXPECT_EQ(line.status().code(), StatusCode::kInvalidArgument) << text;
    EXPECT_NE(line.status().message().find(why), std::string::npos)
        << text << " -> " << line.status().message();
  }
}

}  // namespace
}  // namespace shopstream::pipeline
