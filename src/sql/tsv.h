// The rows of a batch as tab-separated text with backslash escapes: the input of MySQL's
// LOAD DATA ... ESCAPED BY '\\' and of PostgreSQL's COPY ... FROM STDIN (text format) alike.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "event/event.h"

namespace shopstream::sql {

// Appends `row` as one line (columns id, event_time, event_type, department, product, brand,
// price, revenue; `\`, tab, CR and LF escaped; numbers exact). False, with nothing appended,
// when a number is not finite: such a row takes the prepared-statement path.
// REQUIRES: no NUL in the text (the event contract refuses it).
bool AppendTsvRow(const CleanedEvent& row, std::string* out);

}  // namespace shopstream::sql
