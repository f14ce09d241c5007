// Whole hours as the fewest reads of a brand's hour and block rollups (event/hour_blocks.h):
// the largest aligned blocks that fit, with single hours at the ragged ends. Adjacent blocks of
// one span are one run, so a run is one range of a table's key. A day from 10:00 is
// 10:00-12:00 in hours, 12:00-24:00 as a 12-hour block, 00:00-09:00 as 3-hour blocks and 09:00
// in hours: four reads of at most a few thousand brands each, instead of 24 hours of them. A
// week's six whole days are two or three blocks of two and four days.
#pragma once

#include <cstdint>
#include <vector>

namespace shopstream::query {

struct HourRun {
  int span = 1;       // hours per bucket read: 1 (rollup_hour_brand) or a block's span
  int64_t first = 0;  // the first bucket's first minute (minutes since the epoch)
  int64_t end = 0;    // one past the last bucket's last minute
};

// The block tables a store has. A store that no `process` of this version has opened lacks
// them; its runs then take only the blocks it has, and single hours where it has none: the same
// sums from more rows.
struct BlockTables {
  bool within_days = true;  // rollup_block_brand_wide: blocks of 3, 12 and 24 hours
  bool of_days = true;      // rollup_days_brand_wide: blocks of 2 and 4 days
};

// REQUIRES first and end whole hours, first <= end. Runs in order, covering [first, end)
// exactly once, reading only the blocks of `tables`.
std::vector<HourRun> HourRuns(int64_t first, int64_t end, BlockTables tables = {});

}  // namespace shopstream::query
