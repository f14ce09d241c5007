#include "query/caching_query_store.h"

#include <gtest/gtest.h>

namespace shopstream::query {
namespace {

// Counts the questions that reach the store; the stamp and the totals are set by the test.
class CountingStore final : public QueryStore {
 public:
  int64_t stamp = 1;
  int64_t events = 10;
  int computed = 0;
  size_t points = 0;  // of each time series

  Result<Kpis> QueryKpis(const TimeRange&, const Filter& filter) override {
    ++computed;
    Kpis k;
    k.totals.events = filter.department ? 1 : events;
    return k;
  }
  Result<TimeSeries> QueryTimeSeries(const TimeRange&, const Filter&) override {
    ++computed;
    TimeSeries t;
    t.points.assign(points, TimePoint{"2019-11-08 08:14", {}});
    return t;
  }
  Result<std::vector<NamedBreakdown>> QueryDepartments(const TimeRange&, const Filter&) override {
    return std::vector<NamedBreakdown>{};
  }
  Result<std::vector<NamedBreakdown>> QueryTopBrands(const TimeRange&, const Filter&, RankBy,
                                                     int limit) override {
    ++computed;
    return std::vector<NamedBreakdown>(static_cast<size_t>(limit));
  }
  Result<std::vector<NamedBreakdown>> QueryTopProducts(const TimeRange&, const Filter&, RankBy,
                                                       int) override {
    return std::vector<NamedBreakdown>{};
  }
  Result<std::vector<EventTypeCount>> QueryEventMix(const TimeRange&, const Filter&) override {
    return std::vector<EventTypeCount>{};
  }
  Result<Funnel> QueryFunnel(const TimeRange&, const Filter&) override { return Funnel{}; }
  Result<People> QueryPeople(const TimeRange&, const Filter&) override {
    ++computed;
    People p;
    p.users = events * 2;
    return p;
  }
  Result<DataExtent> QueryExtent() override { return DataExtent{}; }
  Result<ProcessorStatus> QueryProcessorStatus() override { return ProcessorStatus{}; }
  Result<int64_t> ChangeStamp() override { return stamp; }
};

TEST(CachingQueryStoreTest, AnswersFromMemoryUntilTheStampChanges) {
  auto owned = std::make_unique<CountingStore>();
  CountingStore* inner = owned.get();
  auto store = WithAnswerCache(std::move(owned));
  const TimeRange all;
  EXPECT_EQ(store->QueryKpis(all)->totals.events, 10);
  EXPECT_EQ(store->QueryKpis(all)->totals.events, 10);
  EXPECT_EQ(inner->computed, 1);

  inner->events = 25;  // a commit
  inner->stamp = 2;
  EXPECT_EQ(store->QueryKpis(all)->totals.events, 25);
  EXPECT_EQ(inner->computed, 2);
}

TEST(CachingQueryStoreTest, DifferentQuestionsAreDifferentAnswers) {
  auto owned = std::make_unique<CountingStore>();
  CountingStore* inner = owned.get();
  auto store = WithAnswerCache(std::move(owned), 2);
  TimeRange day{0, 1440};
  EXPECT_EQ(store->QueryTopBrands(day, RankBy::kRevenue, 3)->size(), 3u);
  EXPECT_EQ(store->QueryTopBrands(day, RankBy::kRevenue, 5)->size(), 5u);
  EXPECT_EQ(store->QueryTopBrands(day, RankBy::kViews, 3)->size(), 3u);  // over the limit: reset
  EXPECT_EQ(store->QueryTopBrands(TimeRange{}, RankBy::kRevenue, 3)->size(), 3u);
  EXPECT_EQ(inner->computed, 4);
  EXPECT_EQ(store->QueryTopBrands(TimeRange{}, RankBy::kRevenue, 3)->size(), 3u);
  EXPECT_EQ(inner->computed, 4);
}

// A filter is part of the question: two names that concatenate alike are still two questions.
TEST(CachingQueryStoreTest, FiltersAreDifferentQuestions) {
  auto owned = std::make_unique<CountingStore>();
  CountingStore* inner = owned.get();
  auto store = WithAnswerCache(std::move(owned));
  Filter a{std::string("ab"), std::string("c")}, b{std::string("a"), std::string("bc")};
  EXPECT_EQ(store->QueryKpis({}, a)->totals.events, 1);
  EXPECT_EQ(store->QueryKpis({}, b)->totals.events, 1);
  EXPECT_EQ(store->QueryKpis({}, Filter{})->totals.events, 10);
  EXPECT_EQ(store->QueryPeople({}, a)->users, 20);
  EXPECT_EQ(inner->computed, 4);
  EXPECT_EQ(store->QueryKpis({}, b)->totals.events, 1);
  EXPECT_EQ(store->QueryPeople({}, a)->users, 20);
  EXPECT_EQ(inner->computed, 4);
}

TEST(CachingQueryStoreTest, MemoryIsBoundedInBytes) {
  auto owned = std::make_unique<CountingStore>();
  CountingStore* inner = owned.get();
  inner->points = 1000;  // about 90 KB each
  auto store = WithAnswerCache(std::move(owned), 1000, 1 << 20);
  // Ten series fit in 1 MiB; a hundred distinct ones cannot all be kept.
  for (int i = 0; i < 100; ++i) ASSERT_TRUE(store->QueryTimeSeries(TimeRange{i, i + 1}).ok());
  EXPECT_EQ(inner->computed, 100);
  for (int i = 0; i < 100; ++i) ASSERT_TRUE(store->QueryTimeSeries(TimeRange{i, i + 1}).ok());
  const int recomputed = inner->computed - 100;
  EXPECT_GT(recomputed, 80);  // the memory started over many times
  // The latest answers are kept: asking the last one again computes nothing.
  ASSERT_TRUE(store->QueryTimeSeries(TimeRange{99, 100}).ok());
  EXPECT_EQ(inner->computed, 100 + recomputed);

  // An answer larger than a quarter of the budget is never kept.
  inner->points = 5000;
  ASSERT_TRUE(store->QueryTimeSeries(TimeRange{}).ok());
  ASSERT_TRUE(store->QueryTimeSeries(TimeRange{}).ok());
  EXPECT_EQ(inner->computed, 102 + recomputed);
}

}  // namespace
}  // namespace shopstream::query
