// Shared by the store benchmarks: the first N events of a CSV in the 2019-Nov format, each
// with a fresh time-based id as `shopstream produce` gives it, and this process's CPU time.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "common/status.h"
#include "event/event.h"

namespace shopstream::bench {

// Reads up to `count` events from `csv_path` (.csv, .gz or .zip); fewer when the file is short.
Result<std::vector<Event>> LoadEvents(const std::string& csv_path, size_t count);

// User plus system CPU seconds of this process so far (getrusage).
double CpuSeconds();

// Escapes a value for a tab-separated line as LOAD DATA reads it by default (and the Python
// reference too): backslash, tab, newline and carriage return get a backslash.
void AppendTsvField(std::string* line, std::string_view value);

}  // namespace shopstream::bench
