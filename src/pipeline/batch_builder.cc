#include "pipeline/batch_builder.h"

#include <algorithm>

#include "event/clean.h"

namespace shopstream {

DecodedBatch BatchBuilder::Build(const std::string& stream, std::vector<Message>& messages) {
  DecodedBatch out;
  out.processed.stream = stream;
  out.events.reserve(messages.size());
  out.processed.rows.reserve(messages.size());
  for (Message& m : messages) {
    auto& next = out.processed.next_offsets[m.partition];
    next = std::max(next, m.offset + 1);

    Event event;
    Status s = decoder_.Decode(m.payload, &event);
    Result<CleanedEvent> cleaned = s.ok() ? Clean(event) : Result<CleanedEvent>(s);
    if (!cleaned.ok()) {
      DeadLetter dead{m.partition, m.offset, cleaned.status().message(), std::move(m.payload)};
      if (dead.payload.size() > kMaxDeadLetterPayload) dead.payload.resize(kMaxDeadLetterPayload);
      out.processed.dead_letters.push_back(std::move(dead));
      continue;
    }
    out.processed.rows.push_back(std::move(cleaned).value());
    out.events.push_back(std::move(event));
  }
  return out;
}

}  // namespace shopstream
