#include "event/people.h"

#include <gtest/gtest.h>

#include <cmath>

#include "event/cross_filter.h"
#include "sketch/hash64.h"

namespace shopstream {
namespace {

CleanedEvent Row(const std::string& time, const std::string& type, const std::string& department,
                 const std::string& brand, int64_t user, const char* session) {
  CleanedEvent r;
  r.event_time = time;
  r.event_type = type;
  r.department = department;
  r.product = "p";
  r.brand = brand;
  r.user_hash = sketch::Hash64(user, sketch::kUserSeed);
  if (session != nullptr) {
    r.session_hash = sketch::Hash64(std::string_view(session), sketch::kSessionSeed);
    r.has_session = true;
  }
  return r;
}

int64_t Count(const std::vector<uint32_t>& entries) {
  PeopleSketches s;
  PeopleEntries e;
  e.users = entries;
  s.Add(e);
  return std::llround(s.users.Estimate());
}

TEST(People, SpreadsEachBucketIntoItsScopes) {
  PeopleDelta delta;
  delta.Add(Row("2019-11-08 08:14:53", "view", "electronics", "samsung", 1, "s1"));
  delta.Add(Row("2019-11-08 08:14:59", "cart", "electronics", "samsung", 1, "s1"));
  delta.Add(Row("2019-11-08 08:15:10", "view", "apparel", "nike", 2, "s2"));
  delta.Add(Row("2019-11-08 09:01:00", "purchase", "electronics", "apple", 3, nullptr));
  const PeopleLevels levels = Spread(delta);

  // Minutes, hours and all time: all and department.
  EXPECT_EQ(levels.minute.size(), 3u + 3u);
  ASSERT_TRUE(levels.minute.contains({kScopeAll, "", "", "2019-11-08 08:14"}));
  const PeopleEntries& minute = levels.minute.at({kScopeAll, "", "", "2019-11-08 08:14"});
  EXPECT_EQ(Count(minute.users), 1);
  EXPECT_EQ(minute.sessions.size(), 2u);  // one session, twice: the sketch counts it once
  EXPECT_EQ(minute.viewing.size(), 1u);
  EXPECT_EQ(minute.carting.size(), 1u);
  EXPECT_EQ(levels.hour.size(), 2u + 3u);
  EXPECT_EQ(Count(levels.hour.at({kScopeDepartment, "", "electronics", "2019-11-08 08"}).users), 1);
  const PeopleEntries& all = levels.all.at({kScopeAll, "", "", ""});
  EXPECT_EQ(Count(all.users), 3);
  EXPECT_EQ(all.buying.size(), 0u);  // the purchase had no session
  EXPECT_EQ(levels.all.size(), 1u + 2u);

  // Days: brands too, each within its department.
  EXPECT_EQ(levels.day.size(), 1u + 2u + 3u);
  EXPECT_EQ(Count(levels.day.at({kScopeAll, "", "", "2019-11-08"}).users), 3);
  EXPECT_EQ(Count(levels.day.at({kScopeDepartment, "", "electronics", "2019-11-08"}).users), 2);
  EXPECT_EQ(Count(levels.day.at({kScopeBrand, "samsung", "electronics", "2019-11-08"}).users), 1);
  EXPECT_TRUE(levels.day.contains({kScopeBrand, "apple", "electronics", "2019-11-08"}));
  EXPECT_FALSE(levels.hour.contains({kScopeBrand, "samsung", "electronics", "2019-11-08 08"}));
}

TEST(People, SketchesOfABatchMergedTwiceAreUnchanged) {
  PeopleDelta delta;
  for (int i = 0; i < 5000; ++i) {
    const std::string session = "s" + std::to_string(i % 700);
    delta.Add(Row("2019-11-08 08:14:53", i % 10 == 0 ? "cart" : "view", "d", "b", i % 900,
                  session.c_str()));
  }
  PeopleSketches once;
  once.Add(Spread(delta).all.at({kScopeAll, "", "", ""}));
  PeopleSketches twice = once;
  twice.Add(Spread(delta).all.at({kScopeAll, "", "", ""}));
  EXPECT_EQ(once, twice);
  EXPECT_EQ(std::llround(once.users.Estimate()), 900);
  EXPECT_EQ(std::llround(once.sessions.Estimate()), 700);
  EXPECT_EQ(std::llround(once.carting.Estimate()), 70);
}

// Held as the finest rows' sketches over several batches, then spread: the same sketches as
// every level's entries added at once.
TEST(People, HeldSketchesSpreadAsTheEntriesOfEveryLevel) {
  PeopleDelta all;
  HeldPeople held;
  for (int batch = 0; batch < 3; ++batch) {
    PeopleDelta delta;
    for (int i = 0; i < 4000; ++i) {
      const std::string session = "s" + std::to_string((batch * 4000 + i) % 900);
      const std::string time = "2019-11-0" + std::to_string(8 + i % 2) + " 0" +
                               std::to_string(i % 3) + ":1" + std::to_string(i % 4) + ":00";
      const CleanedEvent row =
          Row(time, i % 7 == 0 ? "purchase" : "view", i % 2 ? "d1" : "d2",
              "b" + std::to_string(i % 5), batch * 1000 + i % 1500, session.c_str());
      delta.Add(row);
      all.Add(row);
    }
    held.Add(std::move(delta));
  }
  EXPECT_EQ(held.rows(), all.by_minute.size() + all.by_day_brand.size());
  const PeopleSketchLevels spread = Spread(held);
  const PeopleLevels expected = Spread(all);
  for (const auto& [got, want] :
       {std::pair{&spread.minute, &expected.minute}, std::pair{&spread.hour, &expected.hour},
        std::pair{&spread.day, &expected.day}, std::pair{&spread.all, &expected.all}}) {
    ASSERT_EQ(got->size(), want->size());
    for (const auto& [key, entries] : *want) {
      PeopleSketches sketches;
      sketches.Add(entries);
      ASSERT_TRUE(got->contains(key));
      EXPECT_EQ(got->at(key), sketches);
    }
  }
}

// A held brand row keeps small sets as entry lists and turns into sketches once a set is large:
// either way it gives the sketches that adding every entry at once gives.
TEST(People, AHeldBrandRowGivesTheSketchesOfAllItsEntries) {
  HeldBrandPeople held;
  PeopleEntries all;
  const int sizes[] = {3, 50, 0, 4000, 20};  // the fourth batch passes kMaxSparseEntries
  int next_user = 0;
  for (const int size : sizes) {
    PeopleEntries batch;
    for (int i = 0; i < size; ++i) {
      const int user = next_user++ % 3500;  // some users again, in later batches
      std::string session = "s";
      session += std::to_string(user / 2);
      const CleanedEvent row =
          Row("2019-11-08 08:14:53", i % 3 == 0 ? "cart" : "view", "d", "b", user, session.c_str());
      batch.Add(row);
      all.Add(row);
    }
    held.Add(batch);
    PeopleSketches want;
    want.Add(all);
    EXPECT_EQ(held.Sketches(), want) << "after a batch of " << size;
    const HeldBrandPeople copy = held;
    EXPECT_EQ(copy.Sketches(), want);
  }
  EXPECT_TRUE(held.Sketches().users.dense() || held.Sketches().sessions.dense());
}

// The held bytes follow the sketches: what the processed store counts against its budget.
TEST(People, HeldBytesGrowWithTheSketches) {
  HeldPeople held;
  EXPECT_EQ(held.heap_bytes(), 0u);
  PeopleDelta few;
  few.Add(Row("2019-11-08 08:14:53", "view", "d", "b", 1, "s1"));
  held.Add(std::move(few));
  const size_t small = held.heap_bytes();
  EXPECT_GT(small, 0u);
  PeopleDelta many;  // the same minute and brand: the rows' sketches turn dense
  for (int i = 0; i < 20000; ++i) {
    const std::string session = "s" + std::to_string(i);
    many.Add(Row("2019-11-08 08:14:53", "view", "d", "b", i, session.c_str()));
  }
  held.Add(std::move(many));
  EXPECT_EQ(held.rows(), 2u);
  EXPECT_GT(held.heap_bytes(), small + 4 * sketch::kRegisters);
  held.clear();
  EXPECT_EQ(held.heap_bytes(), 0u);
}

TEST(CrossFilter, CoarsensByDepartmentAndAllTime) {
  CrossFilterDelta delta;
  CleanedEvent a = Row("2019-11-08 08:14:53", "purchase", "electronics", "samsung", 1, "s");
  a.revenue = 10;
  delta.Add(a);
  a.event_time = "2019-11-08 09:00:00";
  delta.Add(a);
  const CoarseCrossFilterDelta coarse = Coarsen(delta);
  EXPECT_EQ(delta.by_brand_hour_product.size(), 2u);
  EXPECT_EQ(coarse.by_department_hour_brand.size(), 2u);
  const Totals& all = coarse.by_brand_product.at({"samsung", "electronics", "p", "purchase"});
  EXPECT_EQ(all.events, 2);
  EXPECT_DOUBLE_EQ(all.revenue, 20);
}

}  // namespace
}  // namespace shopstream
