#include "store/mysql/mysql_values.h"

#include <gtest/gtest.h>

#include "store/mysql/mysql_client.h"

namespace shopstream::mysql {
namespace {

CleanedEvent GoodRow() {
  CleanedEvent row;
  row.id = "id-1";
  row.event_time = "2019-11-01 00:00:00";
  row.event_type = "view";
  row.department = "electronics";
  row.product = "smartphone";
  row.brand = "apple";
  return row;
}

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
  EXPECT_EQ(CountChars("abc"), 3u);
  EXPECT_EQ(CountChars("\xF0\x9F\x98\x80\xF0\x9F\x98\x80"), 2u);
  EXPECT_EQ(CountChars("\xC3\xA9t\xC3\xA9"), 3u);
}

TEST(Utf8Test, SanitizeReplacesBadBytesAndCutsAtACharacter) {
  EXPECT_EQ(SanitizeUtf8("ok\xFFok", 100), "ok\xEF\xBF\xBDok");
  EXPECT_EQ(SanitizeUtf8("ab\xF0\x9F\x98\x80", 5), "ab");  // the emoji does not fit whole
  EXPECT_EQ(SanitizeUtf8("ab\xF0\x9F\x98\x80", 6), "ab\xF0\x9F\x98\x80");
  EXPECT_TRUE(IsValidUtf8(SanitizeUtf8("\xC3\xC3\xC3", 100)));
}

TEST(CheckRowTest, AcceptsRowsThatFitTheSeedColumns) {
  EXPECT_TRUE(CheckRow(GoodRow()).ok());
  CleanedEvent row = GoodRow();
  row.brand = std::string(50, 'b');
  EXPECT_TRUE(CheckRow(row).ok());
  row.brand.clear();
  for (int i = 0; i < 50; ++i) row.brand += "\xF0\x9F\x98\x80";  // 50 characters, 200 bytes
  EXPECT_TRUE(CheckRow(row).ok());
}

TEST(CheckRowTest, RefusesTooLongOrInvalidTextNamingTheRow) {
  CleanedEvent row = GoodRow();
  row.brand = std::string(51, 'b');
  Status s = CheckRow(row);
  EXPECT_EQ(s.code(), StatusCode::kRefusedValue);
  EXPECT_NE(s.message().find("id-1"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("brand"), std::string::npos) << s.message();

  row = GoodRow();
  row.id = std::string(101, 'i');
  EXPECT_EQ(CheckRow(row).code(), StatusCode::kRefusedValue);

  row = GoodRow();
  row.event_type = std::string(21, 'e');
  EXPECT_EQ(CheckRow(row).code(), StatusCode::kRefusedValue);

  row = GoodRow();
  row.product = "bad\xFF";
  EXPECT_EQ(CheckRow(row).code(), StatusCode::kRefusedValue);

  row = GoodRow();
  row.id.clear();
  EXPECT_EQ(CheckRow(row).code(), StatusCode::kRefusedValue);
}

TEST(CheckStreamNameTest, NeedsOneTo255Characters) {
  EXPECT_TRUE(CheckStreamName("ecommercetopic").ok());
  EXPECT_FALSE(CheckStreamName("").ok());
  EXPECT_FALSE(CheckStreamName(std::string(256, 's')).ok());
  EXPECT_FALSE(CheckStreamName("\xFF").ok());
}

TEST(QuoteIdentifierTest, QuotesPlainNamesOnly) {
  EXPECT_EQ(QuoteIdentifier("operations").value(), "`operations`");
  EXPECT_EQ(QuoteIdentifier("ecommerce_test_1$").value(), "`ecommerce_test_1$`");
  EXPECT_FALSE(QuoteIdentifier("").ok());
  EXPECT_FALSE(QuoteIdentifier("a`b").ok());
  EXPECT_FALSE(QuoteIdentifier("ops; DROP TABLE x").ok());
  EXPECT_FALSE(QuoteIdentifier(std::string(65, 'a')).ok());
}

TEST(ClassifyErrorTest, OutagesAreRetryableInputErrorsAreNot) {
  EXPECT_EQ(ClassifyError(2002), StatusCode::kUnavailable);      // cannot connect
  EXPECT_EQ(ClassifyError(2006), StatusCode::kUnavailable);      // server gone
  EXPECT_EQ(ClassifyError(2013), StatusCode::kUnavailable);      // lost during a query
  EXPECT_EQ(ClassifyError(1213), StatusCode::kUnavailable);      // deadlock
  EXPECT_EQ(ClassifyError(1205), StatusCode::kUnavailable);      // lock wait timeout
  EXPECT_EQ(ClassifyError(1045), StatusCode::kInvalidArgument);  // access denied
  EXPECT_EQ(ClassifyError(1406), StatusCode::kRefusedValue);     // data too long
  EXPECT_EQ(ClassifyError(1292), StatusCode::kRefusedValue);     // incorrect datetime
  EXPECT_EQ(ClassifyError(1064), StatusCode::kInternal);         // syntax: a bug
  EXPECT_TRUE(IsConnectionLost(2013));
  EXPECT_FALSE(IsConnectionLost(1213));
}

}  // namespace
}  // namespace shopstream::mysql
