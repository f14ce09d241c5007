#include "sql/funnel_states.h"

#include <gtest/gtest.h>

namespace shopstream::sql {
namespace {

bool Same(const FunnelProduct& a, const FunnelProduct& b) {
  return a.first_view == b.first_view && a.last_view == b.last_view &&
         a.carted_view == b.carted_view && a.last_time == b.last_time;
}

TEST(FunnelStatesTest, ProductsComeBackAsTheyWentIn) {
  const FunnelProduct viewed{1575158400, 1575158460, kNoTime, 1575158460};
  const FunnelProduct carted{1575158400, 1575158400, 1575158400, 1575159000};
  std::string packed;
  AppendPackedProduct(1004856, viewed, &packed);
  AppendPackedProduct(-7, carted, &packed);
  ASSERT_EQ(packed.size(), 2 * kPackedProductBytes);

  std::map<std::pair<uint64_t, int64_t>, FunnelProduct> got;
  const uint64_t session = 0xfedcba9876543210u;  // over INT64_MAX: stored as a negative BIGINT
  ASSERT_TRUE(UnpackProducts(session, packed, &got).ok());
  ASSERT_EQ(got.size(), 2u);
  EXPECT_TRUE(Same(got.at({session, 1004856}), viewed));
  EXPECT_TRUE(Same(got.at({session, -7}), carted));
}

TEST(FunnelStatesTest, TheLayoutIsFixedLittleEndian) {
  std::string packed;
  AppendPackedProduct(1, FunnelProduct{2, 3, kNoTime, -1}, &packed);
  EXPECT_EQ(packed.substr(0, 8), std::string("\x01\0\0\0\0\0\0\0", 8));
  EXPECT_EQ(packed.substr(24, 8), std::string("\0\0\0\0\0\0\0\x80", 8));
  EXPECT_EQ(packed.substr(32, 8), std::string(8, '\xff'));
}

TEST(FunnelStatesTest, AnEmptyValueHoldsNothingAndAPartialOneIsRefused) {
  std::map<std::pair<uint64_t, int64_t>, FunnelProduct> got;
  EXPECT_TRUE(UnpackProducts(1, "", &got).ok());
  EXPECT_TRUE(got.empty());
  EXPECT_EQ(UnpackProducts(1, std::string(kPackedProductBytes - 1, 'x'), &got).code(),
            StatusCode::kCorruption);
}

}  // namespace
}  // namespace shopstream::sql
