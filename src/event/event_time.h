// event_time as a point in time: a time the event contract accepts (event/contract.h:
// ParseEventTime, a real calendar date within DATETIME's range, UTC) turned into microseconds
// since 1970-01-01 UTC, and the UTC calendar date of such a point.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace shopstream {

// Microseconds since the Unix epoch. A fraction longer than six digits is cut to microseconds.
// InvalidArgument, with the contract's reason naming the text, for any other text.
Result<int64_t> ParseEventTimeMicros(std::string_view text);

// "YYYY-MM-DD" of a point returned by ParseEventTimeMicros, in UTC.
std::string UtcDateOfMicros(int64_t micros);

}  // namespace shopstream
