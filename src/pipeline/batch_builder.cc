#include "pipeline/batch_builder.h"

#include <algorithm>

#include "event/clean.h"

namespace shopstream {

DecodedBatch BatchBuilder::Build(const std::string& stream, std::vector<Message>& messages) {
  DecodedBatch out;
  out.processed.stream = stream;
  out.events.reserve(messages.size());
  out.processed.rows.reserve(messages.size());
  out.row_messages.reserve(messages.size());
  for (Message& m : messages) {
    auto& next = out.processed.next_offsets[m.partition];
    next = std::max(next, m.offset + 1);

    Event event;
    Status s = decoder_.Decode(m.payload, &event);
    Result<CleanedEvent> cleaned = s.ok() ? Clean(&event) : Result<CleanedEvent>(s);
    if (!cleaned.ok()) {
      DeadLetter dead{m.partition, m.offset, cleaned.status().message(), std::move(m.payload)};
      if (dead.payload.size() > kMaxDeadLetterPayload) dead.payload.resize(kMaxDeadLetterPayload);
      out.processed.dead_letters.push_back(std::move(dead));
      continue;
    }
    out.processed.rows.push_back(std::move(cleaned).value());
    out.events.push_back(std::move(event));
    out.row_messages.push_back(std::move(m));
  }
  return out;
}

namespace {

// Keeps the items of `v` whose index is not in `drop` (sorted), in order.
template <typename T>
void EraseIndices(std::vector<T>* v, const std::vector<size_t>& drop) {
  size_t kept = 0, next_drop = 0;
  for (size_t i = 0; i < v->size(); ++i) {
    if (next_drop < drop.size() && drop[next_drop] == i) {
      ++next_drop;
      continue;
    }
    if (kept != i) (*v)[kept] = std::move((*v)[i]);
    ++kept;
  }
  v->resize(kept);
}

}  // namespace

void DecodedBatch::DeadLetterRows(const std::vector<Refusal>& refused, std::string_view store) {
  std::vector<size_t> drop;
  for (const Refusal& r : refused) {
    Message& m = row_messages[r.index];
    DeadLetter dead{m.partition, m.offset, std::string(store) + " refused the row: " + r.reason,
                    std::move(m.payload)};
    if (dead.payload.size() > kMaxDeadLetterPayload) dead.payload.resize(kMaxDeadLetterPayload);
    processed.dead_letters.push_back(std::move(dead));
    drop.push_back(r.index);
  }
  std::sort(drop.begin(), drop.end());
  EraseIndices(&processed.rows, drop);
  EraseIndices(&row_messages, drop);
  if (!events.empty()) EraseIndices(&events, drop);
}

}  // namespace shopstream
