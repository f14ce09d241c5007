#include "alert/alert_rules.h"

#include <gtest/gtest.h>

namespace shopstream::alert {
namespace {

TEST(AlertRules, TheDefaultsParse) {
  auto rules = ParseRules(DefaultRulesText(), "default");
  ASSERT_TRUE(rules.ok()) << rules.status().ToString();
  ASSERT_EQ(rules->size(), 3u);
  EXPECT_EQ((*rules)[0].name, "purchases_drop");
  EXPECT_EQ((*rules)[0].metric, Metric::kPurchases);
  EXPECT_EQ((*rules)[0].condition, Condition::kDrop);
  EXPECT_DOUBLE_EQ((*rules)[0].percent, 40);
  EXPECT_EQ((*rules)[0].window_seconds, 60);
  EXPECT_EQ((*rules)[0].baseline_seconds, 3600);
  EXPECT_DOUBLE_EQ((*rules)[0].min, 30);
  EXPECT_EQ((*rules)[1].condition, Condition::kZero);
  EXPECT_EQ((*rules)[2].metric, Metric::kDeadLetters);
  EXPECT_EQ((*rules)[2].window_seconds, 300);
}

TEST(AlertRules, CommentsBlankLinesAndCrlfAreFine) {
  auto rules = ParseRules("\n# nothing\r\n  \nx: revenue drop 50%   # half\r\n", "f");
  ASSERT_TRUE(rules.ok()) << rules.status().ToString();
  ASSERT_EQ(rules->size(), 1u);
  EXPECT_EQ((*rules)[0].metric, Metric::kRevenue);
}

TEST(AlertRules, ErrorsNameTheFileAndLine) {
  const std::pair<const char*, const char*> cases[] = {
      {"a: purchases drop 40%\nb purchases", "f.conf:2: expected NAME: METRIC"},
      {"a: sales drop 40%", "f.conf:1: unknown metric 'sales'"},
      {"a: purchases fall 40%", "f.conf:1: unknown condition 'fall'"},
      {"a: purchases drop 140%", "f.conf:1: 'drop' takes a percentage"},
      {"a: purchases drop", "f.conf:1: 'drop' takes a percentage"},
      {"a: purchases drop 40% window=15s", "f.conf:1: window takes a duration"},
      {"a: purchases drop 40% window=1d", "f.conf:1: window takes a duration"},
      {"a: purchases drop 40% window=2h baseline=1h", "f.conf:1: the baseline must be"},
      {"a: purchases drop 40% min=-1", "f.conf:1: min takes a number"},
      {"a: purchases drop 40% colour=red", "f.conf:1: unknown key 'colour'"},
      {"a: purchases drop 40% min=1 min=2", "f.conf:1: expected key=value, each key once"},
      {"a: purchases above 5%", "f.conf:1: 'above' is for dead_letters"},
      {"a: dead_letters zero", "f.conf:1: 'above' is for dead_letters"},
      {"a b: events zero", "f.conf:1: a rule's name"},
      {"a: events zero\na: views zero", "f.conf:2: a second rule named 'a'"},
  };
  for (const auto& [text, expected] : cases) {
    auto rules = ParseRules(text, "f.conf");
    ASSERT_FALSE(rules.ok()) << text;
    EXPECT_EQ(rules.status().message().rfind(expected, 0), 0u)
        << text << " -> " << rules.status().message();
  }
}

}  // namespace
}  // namespace shopstream::alert
