// Blocks of whole hours that a brand's figures are also summed over (rollup_block_brand), so
// that a ranking over a day reads a few blocks instead of 24 hours of rollup_hour_brand. Every
// span divides the next and 24, so blocks are aligned to midnight UTC and nest: any run of
// whole hours is its ragged hours plus a handful of blocks (query/hour_runs.h), and every
// answer stays exact.
#pragma once

#include <array>
#include <string>
#include <string_view>

namespace shopstream {

// The spans kept, in hours, smallest first; 1 is rollup_hour_brand itself.
inline constexpr std::array<int, 3> kHourBlockSpans = {3, 12, 24};

// The span as rollup_block_brand keys it ("3", "12", "24").
std::string_view HourBlockSpanText(int span);

// The bucket of the `span`-hour block holding the hour bucket `hour` ('YYYY-MM-DD HH'): the
// same day and the block's first hour. REQUIRES 24 % span == 0; an hour that is not two digits
// (text no cleaned time gives) is read as 00.
std::string HourBlockOf(std::string_view hour, int span);

}  // namespace shopstream
