// The PostgreSQL client's pure parts: identifier quoting and SQLSTATE classes. The real server
// is exercised by the store contract tests (tests/integration).
#include "postgres/pg_client.h"

#include <gtest/gtest.h>

namespace shopstream::postgres {
namespace {

TEST(QuoteIdentifierTest, QuotesPlainNamesOnly) {
  EXPECT_EQ(QuoteIdentifier("operations").value(), "\"operations\"");
  EXPECT_EQ(QuoteIdentifier("ecommerce_test_1").value(), "\"ecommerce_test_1\"");
  EXPECT_FALSE(QuoteIdentifier("").ok());
  EXPECT_FALSE(QuoteIdentifier("1abc").ok());
  EXPECT_FALSE(QuoteIdentifier("a\"b").ok());
  EXPECT_FALSE(QuoteIdentifier("ops; DROP TABLE x").ok());
  EXPECT_FALSE(QuoteIdentifier(std::string(64, 'a')).ok());
}

TEST(ClassifySqlStateTest, OutagesAreRetryableValuesAreRefusedTheRestIsNot) {
  EXPECT_EQ(ClassifySqlState("08006"), StatusCode::kUnavailable);      // connection failure
  EXPECT_EQ(ClassifySqlState("57P01"), StatusCode::kUnavailable);      // admin shutdown
  EXPECT_EQ(ClassifySqlState("57P03"), StatusCode::kUnavailable);      // cannot connect now
  EXPECT_EQ(ClassifySqlState("40P01"), StatusCode::kUnavailable);      // deadlock
  EXPECT_EQ(ClassifySqlState("53300"), StatusCode::kUnavailable);      // too many connections
  EXPECT_EQ(ClassifySqlState("22007"), StatusCode::kRefusedValue);     // invalid datetime
  EXPECT_EQ(ClassifySqlState("22003"), StatusCode::kRefusedValue);     // out of range
  EXPECT_EQ(ClassifySqlState("22001"), StatusCode::kRefusedValue);     // too long
  EXPECT_EQ(ClassifySqlState("28P01"), StatusCode::kInvalidArgument);  // bad password
  EXPECT_EQ(ClassifySqlState("42P01"), StatusCode::kInvalidArgument);  // no such table
  EXPECT_EQ(ClassifySqlState("42601"), StatusCode::kInternal);         // syntax: a bug
  EXPECT_EQ(ClassifySqlState("23505"), StatusCode::kInternal);         // the caller's to handle
}

}  // namespace
}  // namespace shopstream::postgres
