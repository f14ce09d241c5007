#include "common/json_writer.h"

#include <gtest/gtest.h>

#include <cmath>

namespace shopstream {
namespace {

TEST(JsonWriterTest, WritesNestedValuesWithCommas) {
  JsonWriter w;
  w.BeginObject().Key("a").Int(1).Key("b").BeginArray().Double(1.5).Null().String("x").EndArray();
  w.Key("c").OptionalDouble(std::nullopt).Key("d").Double(std::nan("")).EndObject();
  EXPECT_EQ(w.str(), R"({"a":1,"b":[1.5,null,"x"],"c":null,"d":null})");
}

TEST(JsonWriterTest, EscapesEverythingThatCouldBreakOut) {
  std::string out;
  AppendJsonString(out, "<img src=x onerror=alert(1)> \"q\" \\ \n\x01 & \xE2\x80\xA8");
  EXPECT_EQ(out, R"("\u003cimg src=x onerror=alert(1)\u003e \"q\" \\ \n\u0001 \u0026 \u2028")");
}

TEST(JsonWriterTest, BytesThatAreNotUtf8BecomeTheReplacementCharacter) {
  std::string out;
  // A lone continuation byte, a truncated sequence, an overlong '/', a surrogate, a code point
  // above U+10FFFF, and valid 2-, 3- and 4-byte characters around them.
  AppendJsonString(
      out, "\xcc|\xc3|\xc0\xaf|\xed\xa0\x80|\xf4\x90\x80\x80|\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80");
  EXPECT_EQ(out,
            "\"\\ufffd|\\ufffd|\\ufffd\\ufffd|\\ufffd\\ufffd\\ufffd|"
            "\\ufffd\\ufffd\\ufffd\\ufffd|\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"");
  EXPECT_EQ(ToValidUtf8("a\xff"
                        "b\xe2\x82"),
            "a\xef\xbf\xbd"
            "b\xef\xbf\xbd\xef\xbf\xbd");
}

}  // namespace
}  // namespace shopstream
