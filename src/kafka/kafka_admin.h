// Topic look-up and creation through the admin API of an existing client handle.
#pragma once

#include <librdkafka/rdkafka.h>

#include <chrono>
#include <string>

#include "common/status.h"

namespace shopstream::kafka {

// Partition count of `topic`, or NotFound. Unavailable when no broker answers in `timeout`.
Result<int> TopicPartitionCount(rd_kafka_t* rk, const std::string& topic,
                                std::chrono::milliseconds timeout);

// Makes sure `topic` exists: creates it with `partitions` and `replication_factor` when
// missing; an existing topic (or one created concurrently by someone else) is fine.
Status EnsureTopic(rd_kafka_t* rk, const std::string& topic, int partitions, int replication_factor,
                   std::chrono::milliseconds timeout);

}  // namespace shopstream::kafka
