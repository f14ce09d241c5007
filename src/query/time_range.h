// Time ranges over rollup buckets. Times are whole minutes since the Unix epoch (UTC), the
// unit of the finest rollup; buckets are the text forms the rollup tables key on.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"

namespace shopstream::query {

// [from, to) in minutes since the epoch; an absent end is open.
struct TimeRange {
  std::optional<int64_t> from;
  std::optional<int64_t> to;
};

// Bucket sizes. The rollup tables hold ten seconds, minutes, hours and days; months and years
// exist only as points of a long time series, grouped from day buckets by their prefix
// ("YYYY-MM", "YYYY"). A ten-second bucket is "YYYY-MM-DD HH:MM:S", the first 18 characters of
// its times, so that it fills by prefix like the others; a series names its points
// "YYYY-MM-DD HH:MM:S0". Range ends stay whole minutes: a minute is six ten-second buckets.
enum class Granularity { kTenSeconds, kMinute, kHour, kDay, kMonth, kYear };

inline constexpr int64_t kMinutesPerHour = 60;
inline constexpr int64_t kMinutesPerDay = 24 * 60;
// Bucket texts have four-digit years: 0000-01-01 00:00 is the first minute they can name and
// 10000-01-01 00:00 (kEndOfTime) is one past the last. A range end at or past it is open.
inline constexpr int64_t kFirstMinute = -719528 * kMinutesPerDay;
inline constexpr int64_t kEndOfTime = 2932897 * kMinutesPerDay;

// Parses "YYYY-MM-DD", "YYYY-MM-DD HH:MM", "YYYY-MM-DD HH:MM:SS" ('T' may replace the space,
// a trailing 'Z' or " UTC" is allowed) into seconds since the epoch.
Result<int64_t> ParseUtcSeconds(std::string_view text);

// Builds a range from two optional texts (empty = open). `from` rounds down to its minute and
// `to` up, so that every minute touching the range is included. Fails when from >= to.
Result<TimeRange> ParseTimeRange(std::string_view from, std::string_view to);

// Text forms of the bucket that holds `minute`.
std::string FormatMinuteBucket(int64_t minute);           // "YYYY-MM-DD HH:MM"
std::string FormatHourBucket(int64_t minute);             // "YYYY-MM-DD HH"
std::string FormatDayBucket(int64_t minute);              // "YYYY-MM-DD"
std::string FormatBucket(int64_t minute, Granularity g);  // months "YYYY-MM", years "YYYY"
// The ten-second bucket holding `second` (seconds since the epoch): "YYYY-MM-DD HH:MM:S".
std::string FormatTenSecondBucket(int64_t second);
// The first second of a ten-second bucket ("YYYY-MM-DD HH:MM:S"); fails on any other text.
Result<int64_t> ParseTenSecondBucket(std::string_view bucket);

// Inverse of FormatMinuteBucket; fails on any other text.
Result<int64_t> ParseMinuteBucket(std::string_view bucket);

// For a bucket text that may name no real minute (a "2019-02-30 10:00" written by an older
// processor): the latest real minute whose bucket text sorts at or before it ("2019-02-28
// 23:59"), and never before kFirstMinute. Corruption unless the text is shaped like
// "DDDD-DD-DD DD:DD" (D a digit).
Result<int64_t> FloorMinuteBucket(std::string_view bucket);

// The granularity of a time series over `span_minutes`, by the span alone, for a readable
// number of points: ten seconds up to an hour (at most 360 points), minutes up to 6 hours,
// hours up to 31 days, days beyond. SeriesSpanFor (rollup_reading.h) goes coarser still
// so that no series exceeds its point limit.
Granularity ChooseGranularity(int64_t span_minutes);
// Minutes in one bucket; 0 for ten seconds, which is less than one, and for months and years,
// which have no fixed length.
int64_t GranularityMinutes(Granularity g);
// "second" (ten seconds are points of step 10), "minute", "hour", "day", "month", "year".
const char* GranularityName(Granularity g);

// Rounds down / up to the start of a bucket (calendar months and years included).
int64_t FloorTo(int64_t minute, Granularity g);
int64_t CeilTo(int64_t minute, Granularity g);
// Buckets numbered from the one holding kFirstMinute (0), and the first minute of one (for ten
// seconds, the minute holding it).
int64_t BucketIndex(int64_t minute, Granularity g);
int64_t BucketStart(int64_t index, Granularity g);
// How many buckets of `g` overlap [from, to) (0 when from >= to).
int64_t CountBuckets(int64_t from, int64_t to, Granularity g);

}  // namespace shopstream::query
