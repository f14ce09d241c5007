// The MySQL client's pure parts: identifier quoting and error classes.
#include "mysql/mysql_client.h"

#include <gtest/gtest.h>

namespace shopstream::mysql {
namespace {

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
  EXPECT_EQ(ClassifyError(4025), StatusCode::kRefusedValue);     // an operator's CHECK
  EXPECT_EQ(ClassifyError(1064), StatusCode::kInternal);         // syntax: a bug
  EXPECT_EQ(ClassifyError(1180), StatusCode::kUnavailable);  // Galera: COMMIT outside the primary
  EXPECT_TRUE(IsConnectionLost(1180));                       // component: go to another node
  EXPECT_TRUE(IsConnectionLost(2013));
  EXPECT_FALSE(IsConnectionLost(1213));
}

}  // namespace
}  // namespace shopstream::mysql
