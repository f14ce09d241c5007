#include "alert/alert_rules.h"

#include <gtest/gtest.h>

namespace shopstream::alert {
namespace {

TEST(AlertRules, TheDefaultsParse) {
  auto rules = ParseRules(DefaultRulesText(), "default");
  ASSERT_TRUE(rules.ok()) << rules.status().ToString();
  ASSERT_EQ(rules->size(), 5u);
  EXPECT_EQ((*rules)[0].name, "purchases_drop");
  EXPECT_EQ((*rules)[0].metric, Metric::kPurchases);
  EXPECT_EQ((*rules)[0].condition, Condition::kDrop);
  EXPECT_DOUBLE_EQ((*rules)[0].percent, 35);
  EXPECT_EQ((*rules)[0].window_seconds, 60);
  EXPECT_EQ((*rules)[0].baseline_seconds, 1200);
  EXPECT_DOUBLE_EQ((*rules)[0].min, 0);
  EXPECT_DOUBLE_EQ((*rules)[0].p, 0.00001);
  EXPECT_EQ((*rules)[1].name, "purchases_drop_5m");
  EXPECT_EQ((*rules)[1].window_seconds, 300);
  EXPECT_EQ((*rules)[1].baseline_seconds, 1800);
  EXPECT_DOUBLE_EQ((*rules)[1].p, 0.00001);
  EXPECT_DOUBLE_EQ((*rules)[1].percent, 40);
  EXPECT_EQ((*rules)[2].condition, Condition::kZero);
  EXPECT_EQ((*rules)[3].metric, Metric::kDeadLetters);
  EXPECT_EQ((*rules)[3].window_seconds, 300);
  EXPECT_EQ((*rules)[4].metric, Metric::kCommits);
  EXPECT_EQ((*rules)[4].condition, Condition::kStalled);
  EXPECT_EQ((*rules)[4].window_seconds, 120);
}

TEST(AlertRules, CommentsBlankLinesAndCrlfAreFine) {
  auto rules = ParseRules("\n# nothing\r\n  \nx: revenue drop 50%   # half\r\n", "f");
  ASSERT_TRUE(rules.ok()) << rules.status().ToString();
  ASSERT_EQ(rules->size(), 1u);
  EXPECT_EQ((*rules)[0].metric, Metric::kRevenue);
}

TEST(AlertRules, ASameTimeBaselineAndADepartmentsConversion) {
  auto rules = ParseRules(
      "s: revenue drop 50% window=5m baseline=same-time:7d min=10\n"
      "c: conversion drop 30% window=30m baseline=same-time:1d by=department min=200\n"
      "t: purchases drop 30% window=10m baseline=2h by=department\n",
      "f");
  ASSERT_TRUE(rules.ok()) << rules.status().ToString();
  ASSERT_EQ(rules->size(), 3u);
  EXPECT_EQ((*rules)[0].baseline_days, 7);
  EXPECT_FALSE((*rules)[0].by_department);
  EXPECT_EQ((*rules)[1].metric, Metric::kConversion);
  EXPECT_EQ((*rules)[1].baseline_days, 1);
  EXPECT_TRUE((*rules)[1].by_department);
  EXPECT_DOUBLE_EQ((*rules)[1].min, 200);
  EXPECT_EQ((*rules)[2].baseline_days, 0);
  EXPECT_EQ((*rules)[2].baseline_seconds, 7200);
  EXPECT_TRUE((*rules)[2].by_department);
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
      {"a: purchases drop 40% p=0", "f.conf:1: p takes a chance above 0 and below 1"},
      {"a: purchases drop 40% p=1", "f.conf:1: p takes a chance above 0 and below 1"},
      {"a: revenue drop 40% p=0.01", "f.conf:1: p= is for a drop of a count"},
      {"a: events zero p=0.01", "f.conf:1: p= is for a drop of a count"},
      {"a: purchases above 5%", "f.conf:1: 'above' is for dead_letters"},
      {"a: dead_letters zero", "f.conf:1: 'above' is for dead_letters"},
      {"a b: events zero", "f.conf:1: a rule's name"},
      {"a: events zero\na: views zero", "f.conf:2: a second rule named 'a'"},
      {"a: purchases drop 40% baseline=same-time:0d", "f.conf:1: baseline=same-time: takes"},
      {"a: purchases drop 40% baseline=same-time:29d", "f.conf:1: baseline=same-time: takes"},
      {"a: purchases drop 40% baseline=same-time:7", "f.conf:1: baseline=same-time: takes"},
      {"a: purchases drop 40% baseline=same-time:xd", "f.conf:1: baseline=same-time: takes"},
      {"a: purchases drop 40% baseline=same-time:7d window=2d", "f.conf:1: window takes"},
      {"a: purchases drop 40% baseline=same-time:1d window=25h",
       "f.conf:1: a same-time baseline takes a window of at most a day"},
      {"a: dead_letters above 5% baseline=same-time:7d", "f.conf:1: dead_letters takes neither"},
      {"a: dead_letters above 5% by=department", "f.conf:1: dead_letters takes neither"},
      {"a: commits drop 5%", "f.conf:1: 'stalled' is for commits"},
      {"a: events stalled", "f.conf:1: 'stalled' is for commits"},
      {"a: commits stalled min=3", "f.conf:1: commits takes only window="},
      {"a: commits stalled baseline=1h", "f.conf:1: commits takes only window="},
      {"a: conversion zero", "f.conf:1: 'conversion' takes only 'drop P%'"},
      {"a: conversion drop 30% by=brand", "f.conf:1: by takes only 'department'"},
      {"a: conversion drop 30% by=department window=90s",
       "f.conf:1: by=department takes whole minutes"},
      {"a: conversion drop 30% by=department baseline=90s",
       "f.conf:1: by=department takes whole minutes"},
      {"a_name_longer_than_20: conversion drop 30% by=department",
       "f.conf:1: a by=department rule's name has at most 20"},
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
