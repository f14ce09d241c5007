// Stores made before the coarse rollups (rollup_hour, rollup_day, rollup_brand, rollup_product)
// existed
// get them filled once, from the finer tables, when the table is created; from then on the
// processor keeps them in every batch. The SQL is the same on SQLite and MySQL.
#pragma once

namespace shopstream {

struct CoarseRollupBackfill {
  const char* table;
  const char* insert_sql;
};

inline constexpr CoarseRollupBackfill kCoarseRollupBackfills[] = {
    {"rollup_hour",
     "INSERT INTO rollup_hour(bucket, event_type, department, events, revenue)"
     " SELECT SUBSTR(bucket, 1, 13), event_type, department, SUM(events), SUM(revenue)"
     " FROM rollup_minute GROUP BY SUBSTR(bucket, 1, 13), event_type, department"},
    // After rollup_hour, which it is summed from.
    {"rollup_day",
     "INSERT INTO rollup_day(bucket, event_type, department, events, revenue)"
     " SELECT SUBSTR(bucket, 1, 10), event_type, department, SUM(events), SUM(revenue)"
     " FROM rollup_hour GROUP BY SUBSTR(bucket, 1, 10), event_type, department"},
    {"rollup_brand",
     "INSERT INTO rollup_brand(brand, event_type, events, revenue)"
     " SELECT brand, event_type, SUM(events), SUM(revenue) FROM rollup_hour_brand"
     " GROUP BY brand, event_type"},
    {"rollup_product",
     "INSERT INTO rollup_product(department, product, event_type, events, revenue)"
     " SELECT department, product, event_type, SUM(events), SUM(revenue)"
     " FROM rollup_hour_product GROUP BY department, product, event_type"},
};

}  // namespace shopstream
