#include "sql/tsv.h"

#include <gtest/gtest.h>

#include <limits>

namespace shopstream::sql {
namespace {

TEST(AppendTsvValuesTest, WritesOneEscapedLineWithExactNumbersAndNulls) {
  const SqlValue row[] = {std::string_view("a\tb\\c\nd\re"), int64_t{-42}, 0.1, SqlValue(),
                          std::string_view("")};
  std::string out = "kept";
  ASSERT_TRUE(AppendTsvValues(row, &out));
  EXPECT_EQ(out, "kepta\\tb\\\\c\\nd\\re\t-42\t0.1\t\\N\t\n");
}

TEST(AppendTsvValuesTest, RefusesWhatTheTextCannotCarryAndAppendsNothing) {
  std::string out = "kept";
  const SqlValue infinite[] = {std::string_view("x"), std::numeric_limits<double>::infinity()};
  EXPECT_FALSE(AppendTsvValues(infinite, &out));
  const SqlValue bytes[] = {int64_t{1}, SqlBlob{"\x01\x02"}};
  EXPECT_FALSE(AppendTsvValues(bytes, &out));
  EXPECT_EQ(out, "kept");
}

}  // namespace
}  // namespace shopstream::sql
