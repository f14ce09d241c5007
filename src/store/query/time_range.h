// Time ranges over rollup buckets. Times are whole minutes since the Unix epoch (UTC), the
// unit of the finest rollup; buckets are the text forms the rollup tables key on.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"

namespace shopstream {

// [from, to) in minutes since the epoch; an absent end is open.
struct TimeRange {
  std::optional<int64_t> from;
  std::optional<int64_t> to;
};

enum class Granularity { kMinute, kHour, kDay };

inline constexpr int64_t kMinutesPerHour = 60;
inline constexpr int64_t kMinutesPerDay = 24 * 60;

// Parses "YYYY-MM-DD", "YYYY-MM-DD HH:MM", "YYYY-MM-DD HH:MM:SS" ('T' may replace the space,
// a trailing 'Z' or " UTC" is allowed) into seconds since the epoch.
Result<int64_t> ParseUtcSeconds(std::string_view text);

// Builds a range from two optional texts (empty = open). `from` rounds down to its minute and
// `to` up, so that every minute touching the range is included. Fails when from >= to.
Result<TimeRange> ParseTimeRange(std::string_view from, std::string_view to);

// Text forms of the bucket that holds `minute`.
std::string FormatMinuteBucket(int64_t minute);  // "YYYY-MM-DD HH:MM"
std::string FormatHourBucket(int64_t minute);    // "YYYY-MM-DD HH"
std::string FormatDayBucket(int64_t minute);     // "YYYY-MM-DD"
std::string FormatBucket(int64_t minute, Granularity g);

// Inverse of FormatMinuteBucket; fails on any other text.
Result<int64_t> ParseMinuteBucket(std::string_view bucket);

// Minutes, hours up to 31 days, days beyond: at most a few hundred points on a chart.
Granularity ChooseGranularity(int64_t span_minutes);
int64_t GranularityMinutes(Granularity g);
const char* GranularityName(Granularity g);  // "minute", "hour", "day"

// Rounds down / up to a multiple of the granularity.
int64_t FloorTo(int64_t minute, Granularity g);
int64_t CeilTo(int64_t minute, Granularity g);

}  // namespace shopstream
