// The end offset (high watermark) of each partition of a kafka:// URI's topic, for
// `shopstream status`: what the bus holds, to compare with the offsets a store committed.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>

#include "common/status.h"
#include "common/uri.h"

namespace shopstream::kafka {

// Partition -> the offset the next message will get. Unavailable when no broker answers
// within `timeout`, NotFound when the topic does not exist.
Result<std::map<int32_t, int64_t>> KafkaEndOffsets(const Uri& uri,
                                                   std::chrono::milliseconds timeout);

}  // namespace shopstream::kafka
