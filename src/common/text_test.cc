#include "common/text.h"

#include <gtest/gtest.h>

namespace shopstream {
namespace {

TEST(TextTest, EscapesControlsAndInvalidBytesKeepsUtf8) {
  EXPECT_EQ(EscapeControls("plain"), "plain");
  EXPECT_EQ(EscapeControls("a\nb\tc\x1B[2J"), "a\\x0Ab\\x09c\\x1B[2J");
  EXPECT_EQ(EscapeControls(std::string("\0", 1)), "\\x00");
  EXPECT_EQ(EscapeControls("caf\xC3\xA9 \xF0\x9F\x9B\x92"), "caf\xC3\xA9 \xF0\x9F\x9B\x92");
  EXPECT_EQ(EscapeControls("\xFF\xC3"), "\\xFF\\xC3");
  EXPECT_EQ(EscapeControls("\xC2\x9B"), "\\u009B");  // CSI, a C1 control
  EXPECT_EQ(EscapeControls("\x7F"), "\\x7F");
}

TEST(TextTest, QuoteValueCutsLongValues) {
  EXPECT_EQ(QuoteValue("abc"), "'abc'");
  EXPECT_EQ(QuoteValue(std::string(50, 'x'), 5), "'xxxxx...'");
  EXPECT_EQ(QuoteValue("\xC3\xA9\xC3\xA9\xC3\xA9", 2), "'\xC3\xA9\xC3\xA9...'");
}

}  // namespace
}  // namespace shopstream
