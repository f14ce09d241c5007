// Blocks of whole hours that a brand's figures are also summed over, so that a ranking over a
// day or a week reads a few blocks instead of every hour of rollup_hour_brand. Every span
// divides the next. The spans within a day divide 24 and are aligned to midnight UTC
// (rollup_block_brand_wide); the spans of whole days are aligned to 1970-01-01, every second
// and every fourth day (rollup_days_brand_wide). So blocks nest: any run of whole hours is its
// ragged hours plus a handful of blocks (query/hour_runs.h), and every answer stays exact.
#pragma once

#include <array>
#include <string>
#include <string_view>

namespace shopstream {

// The spans within a day, in hours, smallest first; 1 is rollup_hour_brand itself.
inline constexpr std::array<int, 3> kHourBlockSpans = {3, 12, 24};
// The spans of whole days, in hours: two and four days (a week's six whole days are two or
// three of them instead of six days).
inline constexpr std::array<int, 2> kDayBlockSpans = {48, 96};

// The table that keeps the blocks of `span` hours: rollup_block_brand_wide or
// rollup_days_brand_wide.
std::string_view HourBlockTable(int span);

// The span as its table keys it ("3", "12", "24", "48", "96").
std::string_view HourBlockSpanText(int span);

// The bucket of the `span`-hour block holding the hour bucket `hour` ('YYYY-MM-DD HH'): the
// block's first hour, 'YYYY-MM-DD HH'. REQUIRES span a kHourBlockSpans or a kDayBlockSpans;
// an hour that is not two digits (text no cleaned time gives) is read as 00, a day that is not
// a date as 1970-01-01.
std::string HourBlockOf(std::string_view hour, int span);

}  // namespace shopstream
