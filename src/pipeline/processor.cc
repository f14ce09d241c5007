#include "pipeline/processor.h"

#include <algorithm>
#include <thread>
#include <utility>

#include "common/log.h"
#include "common/retry.h"
#include "pipeline/batch_builder.h"
#include "pipeline/batch_policy.h"
#include "pipeline/commit_stage.h"
#include "pipeline/refusal.h"

namespace shopstream::pipeline {

using std::chrono::milliseconds;

Processor::Processor(bus::MessageSource& source, store::RawStore& raw,
                     store::ProcessedStore& processed, ProcessorOptions options)
    : source_(source), raw_(raw), processed_(processed), options_(options) {}

Status Processor::WithRetry(const char* what, const std::atomic<bool>& stop,
                            const std::function<Status()>& attempt) {
  // The stores' messages name the server (mysql://..., Cassandra at HOST:PORT).
  return RetryWithBackoff(what, stop, {.max = options_.max_backoff}, attempt, &counters_.retries);
}

// A member restarted after a kill -9 gets partitions once the old member's session expires
// (45 s by default): --idle-exit waits this long for a first assignment.
constexpr std::chrono::seconds kAssignmentWait{60};

bool Processor::IdleTooLong(Clock::time_point last_activity) {
  if (options_.idle_exit.count() <= 0) return false;
  const auto now = Clock::now();
  if (!assigned_at_) {
    if (!source_.HasAssignment()) {
      return now - started_ >= std::max<Clock::duration>(options_.idle_exit, kAssignmentWait);
    }
    assigned_at_ = now;
  }
  return now - std::max(last_activity, *assigned_at_) >= options_.idle_exit;
}

Status Processor::Run(const std::atomic<bool>& stop) {
  started_ = Clock::now();
  assigned_at_.reset();
  if (options_.write_raw) {
    if (Status s = WithRetry("creating the raw store", stop, [&] { return raw_.Init(); }); !s.ok())
      return s;
  }
  if (Status s = WithRetry("creating the processed store", stop, [&] { return processed_.Init(); });
      !s.ok()) {
    return s;
  }

  CommitStage committer([&](DecodedBatch& batch) { return CommitProcessed(batch, stop); });
  // On every (re)assignment the source resumes where the rows say, not where the bus says;
  // the batch being committed is waited for first, so that its offsets count.
  source_.SetAssignmentListener([&](const std::vector<int32_t>& partitions) {
    committer.Drain();
    OffsetMap offsets;
    Status s = WithRetry("loading offsets from the processed store", stop, [&] {
      auto loaded = processed_.LoadOffsets(source_.stream_name(), partitions);
      if (loaded.ok()) offsets = std::move(loaded).value();
      return loaded.status();
    });
    if (!s.ok()) LogError("cannot load offsets: " + s.ToString());
    std::string stored_id;
    s = WithRetry("loading the stream's id from the processed store", stop, [&] {
      auto loaded = processed_.LoadStreamId(source_.stream_name());
      if (loaded.ok()) stored_id = std::move(loaded).value();
      return loaded.status();
    });
    if (!s.ok()) LogError("cannot load the stream's id: " + s.ToString());
    source_.SetStoredStreamId(stored_id);
    return offsets;
  });

  BatchBuilder builder(options_.long_text);
  auto last_activity = Clock::now();
  // The listener refers to this frame: detach it when Run returns, however it returns.
  struct DetachListener {
    bus::MessageSource& source;
    ~DetachListener() { source.SetAssignmentListener(nullptr); }
  } detach{source_};
  BatchPolicy policy(
      {.trigger = options_.trigger, .linger = options_.linger, .max_batch = options_.max_batch});
  auto acknowledge = [&] {
    for (const OffsetMap& offsets : committer.TakeCommitted()) source_.Acknowledge(offsets);
    for (auto took : committer.TakeCommitTimes()) policy.RecordCommit(took);
    if (auto spent = committer.TakeSpent()) builder.Recycle(std::move(*spent));
  };
  bus::MessageBatch messages;  // the next batch's, read into memory that earlier batches used
  bool taken = false;          // whether `messages` is ours (not handed to a batch)
  bool flushing = false;       // a quiet stream's write-back is under way, a piece at a time
  while (!stop) {
    acknowledge();
    // After acknowledge(), so that the batch just committed lends its memory: two batches are
    // alive at most (being read or waiting to be handed over, committing), never a third idle
    // one (CommitStage::Submit waits for the commit in hand).
    if (!taken) {
      messages = builder.TakeMessageBatch();
      taken = true;
    }
    const auto started = Clock::now();
    policy.Open(started);
    messages.Clear();
    while (messages.size() < options_.max_batch && !stop) {
      const size_t before = messages.size();
      // While a write-back is under way the bus is only looked at between its pieces.
      const auto wait =
          flushing && before == 0 ? milliseconds(1) : policy.NextWait(Clock::now(), before);
      Status polled = source_.PollInto(options_.max_batch - messages.size(), wait, &messages);
      if (!polled.ok()) {
        if (!polled.retryable()) return polled;
        counters_.retries++;
        LogWarn("reading the bus failed, retrying: " + polled.ToString());
        std::this_thread::sleep_for(milliseconds(200));
        continue;
      }
      // batch_policy.h: age, size, the bus and the commit stage.
      if (policy.ShouldClose(Clock::now(), messages.size(), messages.size() - before,
                             committer.State())) {
        break;
      }
      if (messages.empty() &&
          (flushing || policy.EmptyExpired(Clock::now()) || IdleTooLong(last_activity))) {
        break;
      }
    }
    // Partitions that began at the default start: stored with this batch, even an empty one.
    OffsetMap starts = source_.TakeStartPositions();
    std::vector<bus::OffsetGap> gaps = source_.TakeGaps();
    OffsetMap resets = source_.TakeResets();
    if (messages.empty() && starts.empty() && gaps.empty() && resets.empty()) {
      if (IdleTooLong(last_activity)) {
        if (!assigned_at_) {
          LogWarn("no partition was assigned to this member within " +
                  std::to_string(std::max<int64_t>(options_.idle_exit.count() / 1000,
                                                   kAssignmentWait.count())) +
                  " s, stopping (--idle-exit): do other members of the group hold them all?");
          break;
        }
        LogInfo("nothing new for " + std::to_string(options_.idle_exit.count()) +
                " ms, stopping (--idle-exit)");
        break;
      }
      counters_.lag = source_.Lag();
      // A quiet stream: what the store holds between batches is written back now, on this
      // thread once the committer is idle (stores are not thread-safe), a piece at a time with
      // a look at the bus between pieces: a message that arrives waits for one piece only, and
      // the batches that follow carry what is left.
      committer.Drain();
      acknowledge();
      builder.ReleaseSpares();  // the write-back's rows take memory the batches no longer need
      messages = bus::MessageBatch();
      auto flushed = FlushProcessedPiece(stop);
      if (!flushed.ok()) return stop ? Status::Ok() : flushed.status();
      flushing = !*flushed;
      continue;
    }
    if (!messages.empty()) last_activity = Clock::now();
    flushing = false;
    counters_.consumed += static_cast<int64_t>(messages.size());

    // Decoded a piece at a time, each piece's events written raw before the next is decoded
    // into their memory: only one piece's events are alive, not the whole batch's.
    DecodedBatch batch = builder.Start(source_.stream_name(), std::move(messages));
    taken = false;
    std::optional<Clock::duration> raw_took;
    while (builder.DecodeNext(&batch, std::max<size_t>(options_.raw_piece, 1))) {
      if (options_.write_raw && !batch.events.empty()) {
        const auto raw_started = Clock::now();
        if (Status s = WriteRaw(batch, stop); !s.ok()) return stop ? Status::Ok() : s;
        raw_took = raw_took.value_or(Clock::duration{}) + (Clock::now() - raw_started);
      }
      // Written: the events serve the next piece, the rows go on to the second stage.
      builder.RecycleEvents(std::exchange(batch.events, {}));
    }
    if (raw_took) policy.RecordRaw(*raw_took);
    for (const auto& [partition, offset] : starts) {
      batch.processed.next_offsets.emplace(partition, offset);  // read ones are further on
      batch.processed.first_offsets.emplace(partition, offset);
    }
    batch.processed.reset_offsets = std::move(resets);
    batch.processed.stream_id = source_.stream_id();
    for (const bus::OffsetGap& gap : gaps) {
      // Where `verify` and the dead-letter tools look: the gap's first offset, no payload.
      batch.processed.dead_letters.push_back(
          {gap.partition, gap.from,
           "offsets " + std::to_string(gap.from) + " to " + std::to_string(gap.to - 1) +
               " were deleted by the bus's retention before they were read",
           "", std::string(kBusRetention), ""});
      auto& next = batch.processed.next_offsets[gap.partition];
      next = std::max(next, gap.to);
      auto [first, added] = batch.processed.first_offsets.emplace(gap.partition, gap.from);
      if (!added) first->second = std::min(first->second, gap.from);
    }
    batch.processed.lag = source_.Lag();
    batch.processed.batch_millis =
        std::chrono::duration<double, std::milli>(Clock::now() - started).count();
    if (options_.alerts && options_.write_processed) options_.alerts->Submitted();
    if (!committer.Submit(std::move(batch))) break;
  }
  committer.Drain();
  acknowledge();
  builder.ReleaseSpares();
  messages = bus::MessageBatch();
  Status s = committer.status();
  if (s.ok()) s = FlushProcessed(stop);
  return stop || s.ok() ? Status::Ok() : s;
}

Status Processor::FlushProcessed(const std::atomic<bool>& stop) {
  if (!options_.write_processed) return Status::Ok();
  // Once more after a stop too: a Ctrl-C should not leave people to be replayed. It is not
  // retried then, and whatever it does not write, the next start replays.
  if (stop) return processed_.Flush();
  return WithRetry("writing people back to the processed store", stop,
                   [&] { return processed_.Flush(); });
}

Result<bool> Processor::FlushProcessedPiece(const std::atomic<bool>& stop) {
  if (!options_.write_processed) return true;
  bool done = false;
  Status s = WithRetry("writing people back to the processed store", stop, [&] {
    auto piece = processed_.FlushPiece();
    if (piece.ok()) done = *piece;
    return piece.status();
  });
  if (!s.ok()) return s;
  return done;
}

Status Processor::WriteRaw(DecodedBatch& batch, const std::atomic<bool>& stop) {
  constexpr const char* kWhat = "writing raw events to the raw store";
  Status s = WithRetry(kWhat, stop, [&] { return raw_.Write(batch.events); });
  if (s.code() != StatusCode::kRefusedValue) return s;
  std::vector<Event> part;
  auto refused = IsolateRefused(batch.events.size(), s, [&](size_t begin, size_t end) {
    part.assign(batch.events.begin() + begin, batch.events.begin() + end);
    return WithRetry(kWhat, stop, [&] { return raw_.Write(part); });
  });
  if (!refused.ok()) return refused.status();
  ReportRefused("raw", *refused, batch.events.size());
  std::vector<Refusal> rows = *refused;  // indices of the piece's events, made the batch's rows'
  for (Refusal& r : rows) r.index += batch.events_from;
  batch.DeadLetterRows(rows, "the raw store");
  return Status::Ok();
}

Status Processor::CommitProcessed(DecodedBatch& batch, const std::atomic<bool>& stop) {
  store::ProcessedBatch& processed = batch.processed;
  // Rows this commit stored: after a rebalance or a restart a batch may hold rows another
  // commit stored already, which the store skips and the totals must not count again.
  int64_t stored = static_cast<int64_t>(processed.rows.size());
  if (options_.write_processed) {
    constexpr const char* kWhat = "committing the batch to the processed store";
    store::CommitCounts counts;
    Status s = WithRetry(kWhat, stop, [&] { return processed_.Commit(processed, &counts); });
    stored = counts.new_rows;
    if (s.code() == StatusCode::kRefusedValue) {
      // Rows go in by parts, without offsets or dead letters: a crash in between is safe,
      // since a stored id is never counted again. The last commit carries the dead letters
      // (those of the batch and the refused rows) and the offsets.
      store::ProcessedBatch part;
      part.stream = processed.stream;
      auto refused = IsolateRefused(processed.rows.size(), s, [&](size_t begin, size_t end) {
        part.rows.assign(processed.rows.begin() + begin, processed.rows.begin() + end);
        Status committed = WithRetry(kWhat, stop, [&] { return processed_.Commit(part, &counts); });
        if (committed.ok()) stored += counts.new_rows;
        return committed;
      });
      if (!refused.ok()) return refused.status();
      ReportRefused("processed", *refused, processed.rows.size());
      batch.DeadLetterRows(*refused, "the processed store");
      std::vector<CleanedEvent> kept = std::exchange(processed.rows, {});
      s = WithRetry(kWhat, stop, [&] { return processed_.Commit(processed); });
      processed.rows = std::move(kept);
    }
    if (!s.ok()) return s;
  }
  // After the commit: the topic gets only what the store holds, and never holds the stream up.
  if (options_.dead_letter_sink && options_.write_processed && !processed.dead_letters.empty()) {
    options_.dead_letter_sink->Offer(processed.stream, processed.dead_letters);
  }
  if (options_.alerts && options_.write_processed) options_.alerts->AfterCommit(processed);
  counters_.processed += stored;
  counters_.dead_letters += static_cast<int64_t>(processed.dead_letters.size());
  counters_.batches++;
  counters_.lag = processed.lag;
  if (on_commit_) on_commit_();
  return Status::Ok();
}

void Processor::ReportRefused(const char* store, const std::vector<Refusal>& refused, size_t rows) {
  if (refused.empty()) return;
  LogWarn("the " + std::string(store) + " store refused " + std::to_string(refused.size()) +
          " of " + std::to_string(rows) + " rows of a batch despite the event contract; they are " +
          "dead letters now and the stream goes on (first: " + refused.front().reason + ")");
}

}  // namespace shopstream::pipeline
