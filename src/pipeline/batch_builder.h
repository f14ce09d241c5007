// Turns the messages of one micro-batch into raw events, cleaned rows and dead letters: the
// pure part of the processor, tested on its own. Batches are recycled: the events come back once
// the raw store has them, the rest once the batch is committed, and the next batch decodes and
// cleans into their strings and vectors, which keep their memory, so that a batch in the steady
// state allocates nothing per message or per field.
#pragma once

#include <string_view>
#include <vector>

#include "bus/bus.h"
#include "event/contract.h"
#include "event/json_codec.h"
#include "pipeline/refusal.h"
#include "store/store.h"

namespace shopstream::pipeline {

// Dead-letter payloads are cut to this size; the reason says how large the message was.
inline constexpr size_t kMaxDeadLetterPayload = 64 * 1024;

struct DecodedBatch {
  bus::MessageBatch messages;  // every message of the batch; row_messages point into it
  // For the raw store: the events of the messages of the last piece decoded that decoded and
  // cleaned (BatchBuilder::DecodeNext), or of the whole batch (Build). events[i] is the event of
  // processed.rows[events_from + i]. A piece at a time, so that a batch's events (about 470
  // bytes each with their strings) are not all in memory at once.
  std::vector<Event> events;
  size_t events_from = 0;
  store::ProcessedBatch processed;  // rows, dead letters, next offsets
  // The message of each row: row_messages[i] became processed.rows[i]. Kept to dead-letter a
  // row that a store refuses.
  std::vector<bus::Message> row_messages;
  size_t decoded = 0;  // messages decoded so far

  // Turns the rows named in `refused` (indices of processed.rows) into dead letters ("`store`
  // refused the row: reason"), removing them from the rows and from the events if those are
  // still held.
  void DeadLetterRows(const std::vector<Refusal>& refused, std::string_view store);
};

class BatchBuilder {
 public:
  // `long_text`: what becomes of a cleaned name wider than its column (event/contract.h).
  explicit BatchBuilder(LongText long_text = LongText::kRefuse) : long_text_(long_text) {}

  // Decodes and cleans `messages`, which the batch keeps; a message that fails either becomes a
  // dead letter with the reason, so that one bad message never stops the stream.
  DecodedBatch Build(const std::string& stream, bus::MessageBatch messages);
  // The same a piece at a time: Start decodes nothing; each DecodeNext decodes up to `max` more
  // messages, appending their rows and dead letters, and replaces the events with theirs (give
  // the last piece's back with RecycleEvents first). False once every message was decoded.
  DecodedBatch Start(const std::string& stream, bus::MessageBatch messages);
  bool DecodeNext(DecodedBatch* batch, size_t max);
  // The same for messages held elsewhere (fuzzing, tests): their payloads are copied first.
  DecodedBatch Build(const std::string& stream, const std::vector<bus::Message>& messages);

  // A batch to read the next messages into, with the memory of a recycled one when there is.
  bus::MessageBatch TakeMessageBatch();
  // Takes back the events of a batch (or of a piece) once the raw store has them.
  void RecycleEvents(std::vector<Event> events);
  // Takes back a batch once it is committed (its events may be gone already).
  void Recycle(DecodedBatch spent);
  // Frees what was recycled: a quiet stream, or one about to stop, keeps no batch's memory.
  void ReleaseSpares();

 private:
  EventDecoder decoder_;
  LongText long_text_;
  // Recycled objects whose strings keep their memory, and vectors that keep their capacity.
  std::vector<Event> spare_events_;
  std::vector<CleanedEvent> spare_rows_;
  std::vector<bus::Message> spare_row_messages_;
  bus::MessageBatch spare_messages_;
};

}  // namespace shopstream::pipeline
