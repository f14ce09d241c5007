// Positions in a stream, shared by the bus (where messages come from) and the stores (which keep
// the offsets of record with the rows), so that neither includes the other.
#pragma once

#include <cstdint>
#include <map>

namespace shopstream {

// Next offset to read, per partition of one stream.
using OffsetMap = std::map<int32_t, int64_t>;

}  // namespace shopstream
