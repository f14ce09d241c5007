// The bus message format of the seed's producer: one flat JSON object per message with the
// CSV's nine columns plus "id". Python's json.dumps writes missing values as the bare token
// NaN, which is not JSON; the decoder accepts it as "missing".
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"
#include "event/event.h"

namespace shopstream {

// Larger messages are refused before parsing (they cannot be a single event).
inline constexpr size_t kMaxMessageBytes = 256 * 1024;
// Readable bytes that DecodePadded needs after a message (simdjson's SIMDJSON_PADDING).
inline constexpr size_t kDecodePadding = 64;

// Appends the seed's message for `event` to `out`, e.g.
// {"event_time": "...", "event_type": "view", "product_id": 1, ..., "brand": NaN, ..., "id": "..."}
void EncodeEventJson(const Event& event, std::string* out);

// Decodes messages; reuses its buffers, so keep one per thread. Not thread-safe.
class EventDecoder {
 public:
  EventDecoder();
  ~EventDecoder();
  EventDecoder(const EventDecoder&) = delete;
  EventDecoder& operator=(const EventDecoder&) = delete;

  // Fills `out` from one message. InvalidArgument with a short reason when the message is not
  // a JSON object, has a field of the wrong type, or lacks a required field (event_time,
  // event_type, product_id, category_id, price, user_id, id).
  Status Decode(std::string_view message, Event* out);
  // The same for a message followed by at least kDecodePadding readable bytes (a message in a
  // MessageBatch): it is parsed where it lies, without a copy, unless it holds a bare NaN.
  Status DecodePadded(std::string_view message, Event* out);

 private:
  Status Parse(std::string_view message, bool padded, Event* out);

  struct Impl;
  Impl* impl_;
};

}  // namespace shopstream
