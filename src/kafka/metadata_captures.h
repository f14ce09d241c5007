// Test data: Metadata v12 answers captured from the stack's Kafka 4 broker (correlation id 1)
// about "shopstream-topicid-capture", for the codec's and the probe's tests.
#pragma once

#include <string>
#include <string_view>

#include "common/hex.h"

namespace shopstream::kafka {

inline std::string CapturedBytes(std::string_view hex) {
  std::string out;
  FromHex(hex, &out);
  return out;
}

// The topic with two partitions.
inline const std::string kCapturedTwoPartitions = CapturedBytes(
    "00000001000000000002000000010a3132372e302e302e31000023840000176750777964304533527a7530594f"
    "49684d6b68627377000000010200001b73686f7073747265616d2d746f70696369642d63617074757265"
    "62befd4c2ede4485b625eaa6e4f5dfdc000300000000000000000001000000000200000001020000000101000000"
    "000000010000000100000000020000000102000000010100800000000000");
// The same broker about the topic before it existed: error 3, no id, no partitions.
inline const std::string kCapturedUnknown = CapturedBytes(
    "00000001000000000002000000010a3132372e302e302e31000023840000176750777964304533527a7530594f"
    "49684d6b68627377000000010200031b73686f7073747265616d2d746f70696369642d63617074757265000000"
    "000000000000000000000000000001800000000000");

}  // namespace shopstream::kafka
