#include "alert/poisson.h"

#include <gtest/gtest.h>

#include <cmath>

namespace shopstream::alert {
namespace {

TEST(Poisson, LowerTailMatchesTheDirectSum) {
  // P(X <= 0) = e^-mean; P(X <= 2) for mean 3 = e^-3 (1 + 3 + 4.5).
  EXPECT_NEAR(PoissonAtMost(0, 10), std::exp(-10.0), 1e-18);
  EXPECT_NEAR(PoissonAtMost(2, 3), std::exp(-3.0) * 8.5, 1e-15);
  EXPECT_NEAR(PoissonAtMost(2.7, 3), std::exp(-3.0) * 8.5, 1e-15);  // rounded down
  // Known values: P(X <= 24 | 40) = 0.004483, P(X <= 60 | 100) = 1.081e-5.
  EXPECT_NEAR(PoissonAtMost(24, 40), 0.004483, 1e-6);
  EXPECT_NEAR(PoissonAtMost(60, 100), 1.081e-5, 0.001e-5);
  // Far above the mean the tail is all of it; large counts stay finite.
  EXPECT_NEAR(PoissonAtMost(200, 40), 1, 1e-12);
  EXPECT_NEAR(PoissonAtMost(100000, 100000), 0.50084, 1e-5);
}

TEST(Poisson, EdgeCases) {
  EXPECT_EQ(PoissonAtMost(-1, 5), 0);
  EXPECT_EQ(PoissonAtMost(0, 0), 1);  // nothing expected
  EXPECT_EQ(PoissonAtMost(3, -1), 1);
}

}  // namespace
}  // namespace shopstream::alert
