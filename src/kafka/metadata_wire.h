// Kafka's Metadata API (key 3) at version 12, encoded and decoded by hand for one purpose: a
// topic's id. Kafka 4 gives every topic a UUID, new when a topic is deleted and created again
// under the same name; librdkafka 2.0.2 (Debian 12's) exposes none (its topic-id API came in
// 2.3+), so the source asks a broker itself (topic_id_probe.h). Pure: bytes in, values out.
//
// Version 12 is a "flexible" version: lengths are unsigned varints, strings and arrays are
// "compact" (length + 1, 0 for null), and every structure ends with tagged fields, which the
// decoder skips. The decoder is strict: a length beyond the bytes left, a varint longer than
// five bytes or bytes left over are Corruption, never a crash or an unbounded allocation
// (fuzz/kafka_metadata_decode.cc).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace shopstream::kafka {

using TopicId = std::array<uint8_t, 16>;

// Kafka's own text for an id (base64url, no padding: 22 characters), as kafka-topics.sh
// --describe prints it.
std::string FormatTopicId(const TopicId& id);
// True for the all-zero id Kafka sends when it has none.
bool IsZeroTopicId(const TopicId& id);

// A whole request, with its 4-byte size in front: header v2 (key, version, correlation id,
// client id, no tags) and a body asking for `topic` alone, without creating it.
std::string EncodeMetadataRequest(int32_t correlation_id, std::string_view client_id,
                                  std::string_view topic);

struct MetadataTopic {
  int16_t error_code = 0;  // 3: unknown topic or partition
  std::string name;
  TopicId id{};
  int32_t partitions = 0;
};

// A response's bytes after the 4-byte size: header v1 (correlation id, tags) and the body.
// Corruption when the bytes do not hold exactly one response of version 12, or when its
// correlation id is not `correlation_id`.
Result<std::vector<MetadataTopic>> DecodeMetadataResponse(std::string_view bytes,
                                                          int32_t correlation_id);

}  // namespace shopstream::kafka
