// Checks of values before they reach a database's typed, width-limited columns, so that a bad
// row is refused with a message naming it before anything is sent, and a dead letter is always
// storable. The event contract has refused such rows already; these are the store's own guard.
#pragma once

#include <cstddef>
#include <string_view>

#include "common/status.h"
#include "event/event.h"

namespace shopstream::sql {

// Dead-letter reasons are cut to this many bytes of valid UTF-8.
inline constexpr size_t kMaxReasonBytes = 4 * 1024;

// RefusedValue naming the row's id and column when a text column of `row` is not valid UTF-8
// or does not fit its column (characters, not bytes).
Status CheckRow(const CleanedEvent& row);

// Ok when `stream` can key the offsets, dead-letter and stats tables: 1 to 255 characters of
// valid UTF-8.
Status CheckStreamName(std::string_view stream);

}  // namespace shopstream::sql
