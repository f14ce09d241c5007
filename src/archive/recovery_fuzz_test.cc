// 10,000 random listings for the recovery rule: names near the archive's own (mutated digits, cut
// names, foreign files) in random folders. The plan must be Ok or Corruption, never a crash,
// and an Ok plan must only touch files that were listed, renaming pending to final.
#include <gtest/gtest.h>

#include <random>
#include <set>

#include "archive/layout.h"
#include "archive/recovery.h"

namespace shopstream::archive {
namespace {

std::string RandomName(std::mt19937& rng) {
  FileName n{static_cast<int32_t>(rng() % 3), static_cast<int64_t>(rng() % 50), 0, 1,
             static_cast<int>(1 + rng() % 3)};
  n.last = n.first + static_cast<int64_t>(rng() % 40);
  n.index = static_cast<int>(1 + rng() % n.count);
  std::string name = FormatFileName(n, static_cast<FileState>(rng() % 3));
  switch (rng() % 6) {
    case 0:  // a mutated character
      name[rng() % name.size()] = static_cast<char>(rng());
      break;
    case 1:  // cut short
      name.resize(rng() % name.size());
      break;
    default:
      break;
  }
  return name;
}

TEST(RecoveryFuzz, RandomListingsGiveASafePlanOrCorruption) {
  std::mt19937 rng(1408);
  const std::string dirs[] = {"event_date=2019-11-01", "event_date=2019-11-02", "_dead_letters"};
  int ok = 0;
  for (int round = 0; round < 10000; ++round) {
    std::vector<DirListing> listing;
    std::set<std::string> paths;
    for (const std::string& dir : dirs) {
      DirListing d{dir, {}};
      for (int k = static_cast<int>(rng() % 5); k > 0; --k) {
        d.names.push_back(RandomName(rng));
        paths.insert(dir + "/" + d.names.back());
      }
      listing.push_back(std::move(d));
    }
    const int32_t partition = static_cast<int32_t>(rng() % 3);
    auto plan = PlanRecovery(partition, listing);
    if (!plan.ok()) {
      EXPECT_EQ(plan.status().code(), StatusCode::kCorruption) << plan.status().ToString();
      continue;
    }
    ++ok;
    for (const std::string& path : plan->deletes) {
      ASSERT_TRUE(paths.contains(path)) << path;
      auto parsed = ParseFileName(path.substr(path.find('/') + 1));
      ASSERT_TRUE(parsed);
      EXPECT_NE(parsed->state, FileState::kFinal) << "a final file is never deleted: " << path;
      EXPECT_EQ(parsed->name.partition, partition);
    }
    for (const auto& [from, to] : plan->renames) {
      ASSERT_TRUE(paths.contains(from)) << from;
      auto a = ParseFileName(from.substr(from.find('/') + 1));
      auto b = ParseFileName(to.substr(to.find('/') + 1));
      ASSERT_TRUE(a && b);
      EXPECT_EQ(a->state, FileState::kPending);
      EXPECT_EQ(b->state, FileState::kFinal);
      EXPECT_EQ(a->name, b->name);
      EXPECT_LT(a->name.last, *plan->next_offset);
    }
  }
  EXPECT_GT(ok, 500);  // the random listings reach the planning, not only the refusals
}

TEST(RecoveryFuzz, ParsedNamesFormatBackToThemselves) {
  std::mt19937 rng(11);
  for (int i = 0; i < 20000; ++i) {
    std::string name = RandomName(rng);
    auto parsed = ParseFileName(name);
    if (!parsed) continue;
    auto again = ParseFileName(FormatFileName(parsed->name, parsed->state));
    ASSERT_TRUE(again) << name;
    EXPECT_EQ(again->name, parsed->name) << name;
    EXPECT_EQ(again->state, parsed->state) << name;
  }
}

}  // namespace
}  // namespace shopstream::archive
