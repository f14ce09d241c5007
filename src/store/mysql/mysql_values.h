// The rows of a batch as LOAD DATA input, for MySQL's bulk path (mysql_database.cc).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "common/status.h"
#include "event/event.h"

namespace shopstream::mysql {

// Appends `row` as one line of LOAD DATA input (tab-separated, `\` escapes, columns id,
// event_time, event_type, department, product, brand, price, revenue). False, with nothing
// appended, when a number is not finite: such a row takes the prepared-statement path.
bool AppendLoadDataLine(const CleanedEvent& row, std::string* out);

}  // namespace shopstream::mysql
