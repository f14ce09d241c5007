// Checks and repairs of values before they reach MySQL's typed, width-limited columns, so that a
// bad row is refused with a message naming it, and a dead letter is always storable.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "common/status.h"
#include "event/event.h"

namespace shopstream::mysql {

// The seed's `operations` widths, in characters (MySQL counts characters, not bytes).
inline constexpr size_t kIdChars = 100;
inline constexpr size_t kStreamChars = 255;
// Dead-letter payloads and reasons beyond these are cut, so that a chunk of 256 dead letters
// stays well inside the server's default 16 MiB packet limit.
inline constexpr size_t kMaxPayloadBytes = 32 * 1024;
inline constexpr size_t kMaxReasonBytes = 4 * 1024;

bool IsValidUtf8(std::string_view s);

// Code points in valid UTF-8 text.
size_t CountChars(std::string_view s);

// Valid UTF-8 of at most `max_bytes`: invalid sequences become U+FFFD and the text is cut at a
// character boundary.
std::string SanitizeUtf8(std::string_view s, size_t max_bytes);

// Ok when every text column of `row` is valid UTF-8 that fits its column.
Status CheckRow(const CleanedEvent& row);

// Appends `row` as one line of LOAD DATA input (tab-separated, `\` escapes, columns id,
// event_time, event_type, department, product, brand, price, revenue). False, with nothing
// appended, when a number is not finite: such a row takes the prepared-statement path.
bool AppendLoadDataLine(const CleanedEvent& row, std::string* out);

// Ok when `stream` can be stored as a key of the offsets, dead-letter and stats tables.
Status CheckStreamName(std::string_view stream);

}  // namespace shopstream::mysql
