#include "sql/values.h"

#include <gtest/gtest.h>

namespace shopstream::sql {
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

}  // namespace
}  // namespace shopstream::sql
