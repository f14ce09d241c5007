#include "pipeline/dead_letter_replay.h"

#include <utility>

namespace shopstream::pipeline {

DeadLetterReplayer::DeadLetterReplayer(store::ProcessedStore& store,
                                       DeadLetterReplayOptions options)
    : store_(store), options_(options), builder_(options.long_text) {}

std::string DeadLetterReplayer::PolicyText() const {
  return options_.long_text == LongText::kTruncate ? "long-text=truncate" : "";
}

Status DeadLetterReplayer::Replay(const std::string& stream, const std::vector<ReplayItem>& items) {
  std::vector<bus::Message> messages;
  messages.reserve(items.size());
  for (const ReplayItem& item : items)
    messages.push_back({item.partition, item.offset, item.payload});
  DecodedBatch decoded = builder_.Build(stream, messages);
  store::ProcessedBatch& batch = decoded.processed;
  batch.next_offsets.clear();  // a replay moves no offset of record
  batch.replay_policy = PolicyText();
  batch.max_replays = options_.max_tries;
  for (store::DeadLetter& failed : batch.dead_letters) {
    batch.replayed.push_back({failed.partition, failed.offset, std::move(failed.reason),
                              std::move(failed.code), std::move(failed.field)});
  }
  batch.dead_letters.clear();
  for (const bus::Message& m : decoded.row_messages)
    batch.replayed.push_back({m.partition, m.offset, "", "", ""});
  if (options_.dry_run) {
    Count(batch);
    return Status::Ok();
  }
  Status s = store_.Commit(batch);
  if (s.code() == StatusCode::kRefusedValue) s = CommitEachAlone(batch);
  if (s.ok()) Count(batch);
  return s;
}

// The store refused a value of some row: each row goes alone with its outcome, and a refused one
// stays a dead letter with the store's reason; then the outcomes of the rest.
Status DeadLetterReplayer::CommitEachAlone(store::ProcessedBatch& batch) {
  const size_t rows = batch.rows.size();
  // The rows' outcomes are the last `rows` entries of `replayed`, in the rows' order.
  const size_t first_row = batch.replayed.size() - rows;
  store::ProcessedBatch one;
  one.stream = batch.stream;
  one.replay_policy = batch.replay_policy;
  one.max_replays = batch.max_replays;
  for (size_t i = 0; i < rows; ++i) {
    store::ReplayOutcome& outcome = batch.replayed[first_row + i];
    one.rows = {batch.rows[i]};
    one.replayed = {outcome};
    Status s = store_.Commit(one);
    if (s.code() == StatusCode::kRefusedValue) {
      outcome.reason = "the processed store refused the row: " + s.message();
      outcome.code = kStoreRefused;
      outcome.field.clear();
      one.rows.clear();
      one.replayed = {outcome};
      s = store_.Commit(one);
    }
    if (!s.ok()) return s;
  }
  one.rows.clear();
  one.replayed.assign(batch.replayed.begin(), batch.replayed.begin() + first_row);
  return one.replayed.empty() ? Status::Ok() : store_.Commit(one);
}

void DeadLetterReplayer::Count(const store::ProcessedBatch& batch) {
  for (const store::ReplayOutcome& r : batch.replayed) {
    ++counts_.tried;
    if (r.reason.empty()) {
      ++counts_.stored;
    } else {
      ++counts_.failed;
      ++counts_.failed_by_code[r.code.empty() ? "other" : r.code];
    }
  }
}

}  // namespace shopstream::pipeline
