#include "alert/evaluator.h"

#include <gtest/gtest.h>

#include <random>

namespace shopstream::alert {
namespace {

std::vector<Rule> Rules(const char* text) { return ParseRules(text, "t").value(); }

// Purchases per ten seconds: `rate` until `drop_at`, then rate * `factor`, Poisson.
std::map<int64_t, Bucket> Purchases(int64_t from, int64_t to, double rate, int64_t drop_at,
                                    double factor, uint32_t seed) {
  std::mt19937 gen(seed);
  std::map<int64_t, Bucket> out;
  for (int64_t t = from; t < to; t += kStepSeconds) {
    std::poisson_distribution<int> draw(t < drop_at ? rate : rate * factor);
    out[t].purchases = draw(gen);
    out[t].events = out[t].purchases * 70;
  }
  return out;
}

TEST(Evaluator, APurchaseDropFiresWithinAMinuteOfStreamTime) {
  constexpr int64_t kDrop = 100000 * 10;
  int fired_late = 0;
  for (uint32_t seed = 1; seed <= 20; ++seed) {
    // 150 purchases a minute (2019-Nov's share of 1.36 % at 11,000 events a minute), halved.
    auto buckets = Purchases(kDrop - 7200, kDrop + 600, 25, kDrop, 0.5, seed);
    Evaluator e(Rules("p: purchases drop 40% window=60s baseline=1h min=30"));
    std::optional<int64_t> fired;
    // Batches of 30 s of stream time, as a replay commits them.
    for (int64_t now = kDrop - 3600; now <= kDrop + 600 && !fired; now += 30) {
      for (const Transition& t : e.Evaluate(now, buckets)) {
        if (t.fired) fired = t.at_second;
      }
    }
    ASSERT_TRUE(fired) << seed;
    EXPECT_GE(*fired, kDrop) << seed;  // no false alert in the hour before
    if (*fired - kDrop > 60) ++fired_late;
  }
  EXPECT_LE(fired_late, 1);  // of 20 replays
}

TEST(Evaluator, AtMostOneFalseAlertADayWithoutTheDrop) {
  for (uint32_t seed = 1; seed <= 5; ++seed) {
    auto buckets = Purchases(0, 86400 + 3600, 25, 1LL << 40, 1, seed);
    Evaluator e(Rules("p: purchases drop 40% window=60s baseline=1h min=30"));
    int fired = 0;
    for (int64_t now = 3600; now <= 86400 + 3600; now += 600) {  // every boundary between
      for (const Transition& t : e.Evaluate(now, buckets)) fired += t.fired;
    }
    EXPECT_LE(fired, 1) << seed;
  }
}

TEST(Evaluator, ZeroFiresOnAGapAndResolves) {
  std::map<int64_t, Bucket> b;
  for (int64_t t = 0; t < 600; t += 10) b[t].events = 5;
  for (int64_t t = 700; t < 800; t += 10) b[t].events = 5;
  Evaluator e(Rules("z: events zero window=60s baseline=10m"));
  EXPECT_TRUE(e.Evaluate(600, b).empty());
  auto t = e.Evaluate(760, b);  // every boundary from 610 on: [600, 660) is empty at 660
  ASSERT_EQ(t.size(), 2u);
  EXPECT_TRUE(t[0].fired);
  EXPECT_EQ(t[0].at_second, 660);
  EXPECT_FALSE(t[1].fired);
  EXPECT_EQ(t[1].at_second, 710);
  EXPECT_TRUE(e.Evaluate(760, b).empty());  // the same boundary again: nothing new
}

TEST(Evaluator, DeadLetterShareAboveTheLine) {
  std::map<int64_t, Bucket> b;
  for (int64_t t = 0; t < 300; t += 10) b[t].messages = 10;
  b[290].dead_letters = 20;  // 20 of 300: 6.7 %
  Evaluator e(Rules("d: dead_letters above 5% min=100"));
  auto t = e.Evaluate(300, b);
  ASSERT_EQ(t.size(), 1u);
  EXPECT_NEAR(t[0].value, 100.0 * 20 / 300, 1e-9);
  EXPECT_TRUE(e.firing(0));
}

}  // namespace
}  // namespace shopstream::alert
