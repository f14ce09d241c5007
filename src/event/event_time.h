// event_time as a point in time: the text of the data set ("2019-11-08 08:14:53 UTC", with an
// optional fraction, 'T' for the space, "Z" or "+00:00" for " UTC"; no zone means UTC) turned
// into microseconds since 1970-01-01 UTC, and the UTC calendar date of such a point. Unlike
// NormaliseEventTime (clean.h), it checks the calendar: 2019-02-29 and 2019-11-31 are refused.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace shopstream {

// Microseconds since the Unix epoch, for years 0001 to 9999. A fraction longer than six digits
// is cut to microseconds. InvalidArgument, with a short reason naming the text, otherwise.
Result<int64_t> ParseEventTimeMicros(std::string_view text);

// "YYYY-MM-DD" of a point returned by ParseEventTimeMicros, in UTC.
std::string UtcDateOfMicros(int64_t micros);

}  // namespace shopstream
