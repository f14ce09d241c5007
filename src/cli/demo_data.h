// The demo's data: a generated 2019-Nov-shaped CSV kept in the data directory and reused.
#pragma once

#include <cstdint>
#include <string>

#include "common/status.h"

namespace shopstream::cli {

// Returns the path of data-dir/generated-ROWS-SEED.csv, generating it first if missing.
Result<std::string> EnsureDemoData(const std::string& data_dir, int64_t rows, uint64_t seed);

}  // namespace shopstream::cli
