#include "pipeline/batch_builder.h"

#include <algorithm>

#include "event/clean.h"

namespace shopstream::pipeline {
namespace {

static_assert(bus::MessageBatch::kPayloadPadding >= kDecodePadding,
              "messages are decoded where they lie in their batch");

// Moves the items of `from` to the end of `into` (strings keep their memory).
template <typename T>
void MoveAppend(std::vector<T>& from, std::vector<T>* into) {
  into->insert(into->end(), std::make_move_iterator(from.begin()),
               std::make_move_iterator(from.end()));
  from.clear();
}

// The item at `i` of `v`, which holds at least `i` items: a recycled one if there is.
template <typename T>
T& Slot(std::vector<T>& v, size_t i) {
  if (i == v.size()) v.emplace_back();
  return v[i];
}

// Shrinks `v` to `n` items, the rest moving to `spare` for a later batch.
template <typename T>
void KeepFirst(std::vector<T>& v, size_t n, std::vector<T>* spare) {
  spare->insert(spare->end(), std::make_move_iterator(v.begin() + static_cast<std::ptrdiff_t>(n)),
                std::make_move_iterator(v.end()));
  v.erase(v.begin() + static_cast<std::ptrdiff_t>(n), v.end());
}

// `code`: where the refusal was decided (the decoder's, the contract's or the processor's).
store::DeadLetter MakeDeadLetter(const bus::Message& m, std::string reason, ReasonCode code) {
  return store::DeadLetter{
      m.partition,          m.offset,
      std::move(reason),    std::string(m.payload.substr(0, kMaxDeadLetterPayload)),
      std::move(code.code), std::move(code.field)};
}

}  // namespace

DecodedBatch BatchBuilder::Build(const std::string& stream, bus::MessageBatch messages) {
  DecodedBatch out = Start(stream, std::move(messages));
  DecodeNext(&out, out.messages.size());
  return out;
}

DecodedBatch BatchBuilder::Start(const std::string& stream, bus::MessageBatch messages) {
  DecodedBatch out;
  out.messages = std::move(messages);
  out.processed.stream = stream;
  out.processed.rows = std::move(spare_rows_);
  out.row_messages = std::move(spare_row_messages_);
  out.row_messages.clear();
  spare_rows_.clear();
  return out;
}

bool BatchBuilder::DecodeNext(DecodedBatch* batch, size_t max) {
  const std::vector<bus::Message>& messages = batch->messages.messages();
  std::vector<CleanedEvent>& rows = batch->processed.rows;
  if (batch->decoded == messages.size()) {
    KeepFirst(rows, batch->row_messages.size(), &spare_rows_);  // an empty batch's spares
    return false;
  }
  // The last piece's events went back with RecycleEvents (or were never taken).
  MoveAppend(batch->events, &spare_events_);
  batch->events = std::move(spare_events_);
  spare_events_.clear();
  batch->events_from = batch->row_messages.size();
  if (batch->decoded == 0) {
    // Room for every message's row at once: grown by doubling, two batches of 20,000 rows
    // would hold room for 65,536 (6 MB more at the peak).
    rows.reserve(messages.size());
    batch->row_messages.reserve(messages.size());
  }
  size_t kept = batch->events_from;  // rows so far; slots past it hold recycled objects
  const size_t end = std::min(messages.size(), batch->decoded + max);
  for (; batch->decoded < end; ++batch->decoded) {
    const bus::Message& m = messages[batch->decoded];
    auto& next = batch->processed.next_offsets[m.partition];
    next = std::max(next, m.offset + 1);
    auto [first, added] = batch->processed.first_offsets.emplace(m.partition, m.offset);
    if (!added) first->second = std::min(first->second, m.offset);

    Event& event = Slot(batch->events, kept - batch->events_from);
    Status s = decoder_.DecodePadded(m.payload, &event);
    if (s.ok()) s = CleanInto(&event, &Slot(rows, kept), long_text_);
    if (!s.ok()) {
      batch->processed.dead_letters.push_back(MakeDeadLetter(m, s.message(), CodeOfStatus(s)));
      continue;
    }
    batch->row_messages.push_back(m);
    ++kept;
  }
  KeepFirst(batch->events, kept - batch->events_from, &spare_events_);
  if (batch->decoded == messages.size()) KeepFirst(rows, kept, &spare_rows_);
  return true;
}

DecodedBatch BatchBuilder::Build(const std::string& stream,
                                 const std::vector<bus::Message>& messages) {
  bus::MessageBatch batch = TakeMessageBatch();
  for (const bus::Message& m : messages) batch.Add(m.partition, m.offset, m.payload);
  return Build(stream, std::move(batch));
}

bus::MessageBatch BatchBuilder::TakeMessageBatch() {
  bus::MessageBatch batch = std::move(spare_messages_);
  batch.Clear();
  spare_messages_ = bus::MessageBatch();
  return batch;
}

void BatchBuilder::RecycleEvents(std::vector<Event> events) {
  MoveAppend(spare_events_, &events);
  spare_events_ = std::move(events);
}

void BatchBuilder::Recycle(DecodedBatch spent) {
  RecycleEvents(std::move(spent.events));
  // The larger of the two is kept, not both: appended together, two full batches' rows made
  // a vector of twice a batch (9.6 MB of CleanedEvent at 20,000 rows) for a moment.
  if (spent.processed.rows.size() >= spare_rows_.size()) {
    spare_rows_ = std::move(spent.processed.rows);
  }
  spare_row_messages_ = std::move(spent.row_messages);
  spare_messages_ = std::move(spent.messages);
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
    processed.dead_letters.push_back(
        MakeDeadLetter(row_messages[r.index], std::string(store) + " refused the row: " + r.reason,
                       {std::string(kStoreRefused), ""}));
    drop.push_back(r.index);
  }
  std::sort(drop.begin(), drop.end());
  EraseIndices(&processed.rows, drop);
  EraseIndices(&row_messages, drop);
  if (events.empty()) return;
  std::vector<size_t> drop_events;  // the held piece's, counted from its first row
  for (size_t i : drop) {
    if (i >= events_from && i - events_from < events.size()) drop_events.push_back(i - events_from);
  }
  EraseIndices(&events, drop_events);
}

void BatchBuilder::ReleaseSpares() {
  spare_events_ = {};
  spare_rows_ = {};
  spare_row_messages_ = {};
  spare_messages_ = bus::MessageBatch();
}

}  // namespace shopstream::pipeline
