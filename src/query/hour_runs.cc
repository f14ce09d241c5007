#include "query/hour_runs.h"

#include "event/hour_blocks.h"
#include "query/time_range.h"

namespace shopstream::query {
std::vector<HourRun> HourRuns(int64_t first, int64_t end, BlockTables tables) {
  std::vector<HourRun> runs;
  for (int64_t at = first; at < end;) {
    int span = 1;
    const auto fits = [&](int s) {
      const int64_t length = s * kMinutesPerHour;
      if (at % length == 0 && at + length <= end) span = s;
    };
    if (tables.within_days) {
      for (int s : kHourBlockSpans) fits(s);
    }
    if (tables.of_days) {
      for (int s : kDayBlockSpans) fits(s);
    }
    const int64_t next = at + span * kMinutesPerHour;
    if (!runs.empty() && runs.back().span == span && runs.back().end == at) {
      runs.back().end = next;
    } else {
      runs.push_back({span, at, next});
    }
    at = next;
  }
  return runs;
}

}  // namespace shopstream::query
