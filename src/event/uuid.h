// Time-based UUIDs (version 1), as the seed's producer made with Python's uuid.uuid1(): a
// 60-bit timestamp, a random clock sequence and a random node id (multicast bit set, as
// RFC 4122 asks for a node id that is not a MAC address).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace shopstream {

class Uuid1Generator {
 public:
  Uuid1Generator();
  // Unique within this generator even when called faster than the clock ticks.
  std::string Next();

 private:
  uint64_t last_timestamp_ = 0;
  uint16_t clock_seq_ = 0;
  uint64_t node_ = 0;
};

}  // namespace shopstream

namespace shopstream {
// True for the canonical text form xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx (any version).
bool IsUuidText(std::string_view text);
}  // namespace shopstream
