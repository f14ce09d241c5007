// Turns the messages of one micro-batch into raw events, cleaned rows and dead letters: the
// pure part of the processor, tested on its own.
#pragma once

#include <string_view>
#include <vector>

#include "bus/bus.h"
#include "event/json_codec.h"
#include "pipeline/refusal.h"
#include "store/store.h"

namespace shopstream {

// Dead-letter payloads are cut to this size; the reason says how large the message was.
inline constexpr size_t kMaxDeadLetterPayload = 64 * 1024;

struct DecodedBatch {
  std::vector<Event> events;  // for the raw store: every message that decoded and cleaned
  ProcessedBatch processed;   // rows, dead letters, next offsets
  // The message of each row: row_messages[i] became processed.rows[i] and events[i] (until the
  // events are written and released). Kept to dead-letter a row that a store refuses.
  std::vector<Message> row_messages;

  // Turns the rows named in `refused` into dead letters ("`store` refused the row: reason"),
  // removing them from the rows and from the events if those are still held.
  void DeadLetterRows(const std::vector<Refusal>& refused, std::string_view store);
};

class BatchBuilder {
 public:
  // Decodes and cleans `messages`; a message that fails either becomes a dead letter with the
  // reason, so that one bad message never stops the stream.
  DecodedBatch Build(const std::string& stream, std::vector<Message>& messages);

 private:
  EventDecoder decoder_;
};

}  // namespace shopstream
