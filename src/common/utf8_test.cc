#include "common/utf8.h"

#include <gtest/gtest.h>

namespace shopstream {
namespace {

TEST(Utf8Test, ValidatesSequences) {
  EXPECT_TRUE(IsValidUtf8(""));
  EXPECT_TRUE(IsValidUtf8("plain ascii"));
  EXPECT_TRUE(IsValidUtf8("caf\xC3\xA9 \xE4\xB8\xAD \xF0\x9F\x98\x80"));  // é 中 😀
  EXPECT_FALSE(IsValidUtf8("\xC3"));                                      // cut short
  EXPECT_FALSE(IsValidUtf8("\xC0\xAF"));                                  // overlong '/'
  EXPECT_FALSE(IsValidUtf8("\xED\xA0\x80"));                              // a surrogate
  EXPECT_FALSE(IsValidUtf8("\xF4\x90\x80\x80"));                          // above U+10FFFF
  EXPECT_FALSE(IsValidUtf8("\xFF"));
}

TEST(Utf8Test, CountsCharactersNotBytes) {
  EXPECT_EQ(CountUtf8Chars("abc"), 3u);
  EXPECT_EQ(CountUtf8Chars("\xF0\x9F\x98\x80\xF0\x9F\x98\x80"), 2u);
  EXPECT_EQ(CountUtf8Chars("\xC3\xA9t\xC3\xA9"), 3u);
}

TEST(Utf8Test, SanitizeReplacesBadBytesAndCutsAtACharacter) {
  EXPECT_EQ(SanitizeUtf8("ok\xFFok", 100), "ok\xEF\xBF\xBDok");
  EXPECT_EQ(SanitizeUtf8("ab\xF0\x9F\x98\x80", 5), "ab");  // the emoji does not fit whole
  EXPECT_EQ(SanitizeUtf8("ab\xF0\x9F\x98\x80", 6), "ab\xF0\x9F\x98\x80");
  EXPECT_TRUE(IsValidUtf8(SanitizeUtf8("\xC3\xC3\xC3", 100)));
  EXPECT_EQ(SanitizeUtf8(std::string("a\0b", 3), 100),
            "a\xEF\xBF\xBD"
            "b");  // no NUL
}

}  // namespace
}  // namespace shopstream
