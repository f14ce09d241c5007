#include "common/hex.h"

#include <gtest/gtest.h>

namespace shopstream {
namespace {

TEST(Hex, RoundTripsEveryByte) {
  std::string all;
  for (int c = 0; c < 256; ++c) all.push_back(static_cast<char>(c));
  const std::string hex = ToHex(all);
  EXPECT_EQ(hex.substr(0, 8), "00010203");
  EXPECT_EQ(hex.substr(hex.size() - 4), "feff");
  std::string back;
  ASSERT_TRUE(FromHex(hex, &back));
  EXPECT_EQ(back, all);
}

TEST(Hex, TakesEitherCaseAndRefusesTheRest) {
  std::string out;
  EXPECT_TRUE(FromHex("aBcD", &out));
  EXPECT_EQ(out, "\xab\xcd");
  EXPECT_FALSE(FromHex("abc", &out));  // odd length
  EXPECT_FALSE(FromHex("zz", &out));
  EXPECT_FALSE(FromHex("0x", &out));
  EXPECT_TRUE(FromHex("", &out));
  EXPECT_EQ(out, "");
}

}  // namespace
}  // namespace shopstream
