// The alert goals measured on `shopstream generate`'s data (docs/alerts.md, "Precision"): the
// default rules over the first two generated days (quiet nights, busy afternoons), counting the
// alerts of each day without a drop (goal: at most 1), and the stream time a 50 % drop of
// purchases at a known time takes to fire (goal: 60 s). The generator spreads a month over its
// rows, so a month of 90 million rows gives the first two days 5.6 million events at up to ~70
// purchases a minute: generated until the end of day 2 only. The rules are evaluated as
// `process --alerts` evaluates them, on ten-second buckets of stream time, batch by batch; the
// store's part is tests/integration/test_alerts.py's.
//
// A measurement, not run by ctest (DISABLED_: minutes in a Debug build, and the defaults do not
// meet the false-alert goal on this data, see docs/alerts.md):
//   build-dev/src/alert/generated_replay_test --gtest_also_run_disabled_tests
#include <gtest/gtest.h>

#include <cstdio>
#include <string>

#include "alert/evaluator.h"
#include "generate/generator.h"

namespace shopstream::alert {
namespace {

constexpr uint64_t kMonthRows = 90'000'000;  // a month at this rate; two days are generated
constexpr int64_t kDays = 2;

// Seconds since 2019-11-01 00:00:00 of "2019-11-DD HH:MM:SS".
int64_t SecondOf(const char* t) {
  const auto two = [&](int at) { return (t[at] - '0') * 10 + (t[at + 1] - '0'); };
  return (two(8) - 1) * kDaySeconds + two(11) * 3600 + two(14) * 60 + two(17);
}

// The ten-second buckets of the first `kDays` generated days; from `drop_at` on, every other
// purchase left out (a 50 % drop).
Series GeneratedDays(int64_t drop_at) {
  generate::Generator generator({kMonthRows, 1, nullptr});
  Series buckets;
  std::string chunk;
  int64_t purchases_after = 0;
  for (;;) {
    chunk.clear();
    if (generator.Generate(100'000, &chunk) == 0) break;
    int64_t last = 0;
    for (size_t line = 0; line < chunk.size();) {
      const size_t end = chunk.find('\n', line);
      const char* row = chunk.data() + line;
      last = SecondOf(row);
      line = end + 1;
      if (last >= kDays * kDaySeconds) break;
      const char* type = row + 24;  // after "YYYY-MM-DD HH:MM:SS UTC,"
      Bucket& b = buckets[last / kStepSeconds * kStepSeconds];
      if (type[0] == 'p') {
        if (last >= drop_at && ++purchases_after % 2 == 0) continue;
        b.purchases += 1;
      }
      b.events += 1, b.views += type[0] == 'v', b.carts += type[0] == 'c';
      b.messages += 1;
    }
    if (last >= kDays * kDaySeconds) break;
  }
  return buckets;
}

// Every boundary of the days evaluated with the default rules, in batches of 5 minutes of stream
// time (each boundary between is evaluated, as a fast replay's are); the fired transitions.
std::vector<Transition> Replay(const Series& buckets) {
  Evaluator e(ParseRules(DefaultRulesText(), "default").value());
  std::vector<Transition> fired;
  for (int64_t now = 0; now < kDays * kDaySeconds; now += 300) {
    for (Transition& t : e.Evaluate(now / kStepSeconds * kStepSeconds, buckets)) {
      if (t.fired) fired.push_back(std::move(t));
    }
  }
  return fired;
}

TEST(GeneratedReplay, DISABLED_TheDefaultRulesOnTwoGeneratedDays) {
  const Series plain = GeneratedDays(1LL << 40);
  double peak = 0;  // purchases in the busiest minute, for the record
  for (int64_t m = 0; m < kDays * kDaySeconds; m += 60) {
    double n = 0;
    for (auto it = plain.lower_bound(m); it != plain.end() && it->first < m + 60; ++it) {
      n += it->second.purchases;
    }
    peak = std::max(peak, n);
  }
  std::vector<int> per_day(kDays);
  for (const Transition& t : Replay(plain)) {
    ++per_day[t.at_second / kDaySeconds];
    std::printf(
        "false alert: %s on day %lld at %02lld:%02lld:%02lld (value %.0f, threshold %.1f)\n",
        t.rule.c_str(), static_cast<long long>(t.at_second / kDaySeconds + 1),
        static_cast<long long>(t.at_second % kDaySeconds / 3600),
        static_cast<long long>(t.at_second % 3600 / 60), static_cast<long long>(t.at_second % 60),
        t.value, t.threshold);
  }
  for (int64_t d = 0; d < kDays; ++d) {
    std::printf("day %lld: %d alerts without a drop (busiest minute: %.0f purchases)\n",
                static_cast<long long>(d + 1), per_day[d], peak);
    EXPECT_LE(per_day[d], 1) << "day " << d + 1;
  }

  // The drop, on day 2 at 15:00:05 (the afternoon, when the rule judges).
  const int64_t drop = kDaySeconds + 15 * 3600 + 5;
  std::optional<int64_t> fired;
  for (const Transition& t : Replay(GeneratedDays(drop))) {
    if (t.rule == "purchases_drop" && t.at_second >= drop && !fired) fired = t.at_second;
  }
  ASSERT_TRUE(fired);
  std::printf("a 50 %% drop at second %lld fired after %lld s of stream time\n",
              static_cast<long long>(drop), static_cast<long long>(*fired - drop));
  EXPECT_LE(*fired - drop, 60);
}

}  // namespace
}  // namespace shopstream::alert
