// The rows of a batch as tab-separated text with backslash escapes: the input of MySQL's
// LOAD DATA ... ESCAPED BY '\\' and of PostgreSQL's COPY ... FROM STDIN (text format) alike.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>

#include "common/sql_value.h"
#include "event/event.h"

namespace shopstream::sql {

// Appends `row` as one line (columns id, event_time, event_type, department, product, brand,
// price, revenue; `\`, tab, CR and LF escaped; numbers exact). False, with nothing appended,
// when a number is not finite: such a row takes the prepared-statement path.
// REQUIRES: no NUL in the text (the event contract refuses it).
bool AppendTsvRow(const CleanedEvent& row, std::string* out);

// Appends `values` as one line in the same form (NULL as \N), for a staged upsert
// (staged_upsert.h). False, with nothing appended, for a value that form cannot carry exactly
// (bytes, a number that is not finite): such rows are bound instead.
// REQUIRES: no NUL in the text.
bool AppendTsvValues(std::span<const SqlValue> values, std::string* out);

}  // namespace shopstream::sql
