#include "sql/schema.h"

#include <gtest/gtest.h>

#include <set>
#include <variant>

namespace shopstream::sql {
namespace {

// A batch whose every delta map holds one row, each with its own number of events, so that
// the rollup a map's row went to is known.
struct OneRowEach {
  RollupDelta delta;
  CoarseRollupDelta coarse;
  CrossFilterDelta cross;
  CoarseCrossFilterDelta cross_coarse;

  OneRowEach() {
    int64_t n = 0;
    delta.by_minute[{"2019-11-08 10:01", "view", "apparel"}] = {++n, 0};
    delta.by_hour_brand[{"2019-11-08 10", "nike", "view"}] = {++n, 0};
    delta.by_hour_product[{"2019-11-08 10", "apparel", "shoes", "view"}] = {++n, 0};
    delta.by_ten_seconds[{"2019-11-08 10:01:0", "view"}] = {++n, 0};
    coarse.by_hour[{"2019-11-08 10", "view", "apparel"}] = {++n, 0};
    coarse.by_day[{"2019-11-08", "view", "apparel"}] = {++n, 0};
    coarse.by_brand[{"nike", "view"}] = {++n, 0};
    coarse.by_product[{"apparel", "shoes", "view"}] = {++n, 0};
    coarse.by_block_brand[{"3", "2019-11-08 09", "nike"}] = {++n, 0, 0, 0, 0};
    coarse.by_days_brand[{"48", "2019-11-08 00", "nike"}] = {++n, 0, 0, 0, 0};
    cross.by_brand_hour_product[{"nike", "2019-11-08 10", "apparel", "shoes", "view"}] = {++n, 0};
    cross_coarse.by_department_hour_brand[{"apparel", "2019-11-08 10", "nike", "view"}] = {++n, 0};
    cross_coarse.by_brand_product[{"nike", "apparel", "shoes", "view"}] = {++n, 0};
    maps = n;
  }
  int64_t maps = 0;
};

// Every rollup table takes the rows of a delta map of its own, each row as many values as the
// table has columns: a rollup added to Rollups() without its delta writes nothing, which this
// catches (and Rollup's constructor refuses to compile).
TEST(RollupValuesOf, EveryRollupWritesItsOwnDeltasRows) {
  const OneRowEach batch;
  ASSERT_EQ(Rollups().size(), static_cast<size_t>(batch.maps));
  std::set<int64_t> taken;
  std::vector<SqlValue> values;
  for (size_t i = 0; i < Rollups().size(); ++i) {
    const Table& table = Rollups()[i].table;
    SCOPED_TRACE(std::string(table.name));
    RollupValuesOf(i, batch.delta, batch.coarse, batch.cross, batch.cross_coarse, &values);
    ASSERT_EQ(values.size(), table.columns.size());
    const SqlValue& events = values[table.key.size()];  // the first column past the key
    ASSERT_TRUE(std::holds_alternative<int64_t>(events));
    EXPECT_TRUE(taken.insert(std::get<int64_t>(events)).second) << "a delta written twice";
  }
  EXPECT_EQ(taken.size(), Rollups().size());
}

TEST(RollupValuesOf, AnIndexPastTheRollupsIsAnError) {
  const OneRowEach batch;
  std::vector<SqlValue> values;
  EXPECT_THROW(RollupValuesOf(Rollups().size(), batch.delta, batch.coarse, batch.cross,
                              batch.cross_coarse, &values),
               std::out_of_range);
}

}  // namespace
}  // namespace shopstream::sql
