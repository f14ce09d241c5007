// The processor: reads micro-batches from a MessageSource, decodes and cleans each message,
// writes raw events to the RawStore, then commits cleaned rows, rollups, dead letters and the
// next offsets to the ProcessedStore in one transaction, on a second thread, so that the
// next batch is read, decoded and written raw meanwhile. Exactly once: offsets of record live
// with the rows and are handed to the source on every partition assignment.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>

#include "bus/bus.h"
#include "common/status.h"
#include "pipeline/alert_stage.h"
#include "pipeline/batch_builder.h"
#include "pipeline/dead_letter_sink.h"
#include "store/store.h"

namespace shopstream::pipeline {

struct ProcessorOptions {
  // When a batch closes: batch_policy.h (the trigger is the bound on a batch's age, `linger`
  // closes it early once the bus is quiet or the commit stage is free, or about to be). A 15 s
  // trigger with a linger as long reproduces the seed's processingTime trigger.
  std::chrono::milliseconds trigger{1000};
  std::chrono::milliseconds linger{50};
  size_t max_batch = 20000;
  // A batch is decoded and written to the raw store this many messages at a time, so that only
  // one piece's events are in memory (each raw write is idempotent: a crash between pieces
  // leaves raw rows ahead of the offsets, which the replay writes again).
  size_t raw_piece = 4096;
  // Ends Run() once nothing new arrived for this long; 0 means run until stopped.
  std::chrono::milliseconds idle_exit{0};
  // Outages are retried with exponential backoff up to this delay, for as long as it takes.
  std::chrono::milliseconds max_backoff{10000};
  bool write_raw = true;        // false: skip the raw store (benchmarks)
  bool write_processed = true;  // false: decode and clean only (benchmarks)
  // --long-text: a cleaned name wider than its column is refused (a dead letter) or cut.
  LongText long_text = LongText::kRefuse;
  // Told of each committed batch's dead letters (a dead-letter topic); not owned; may be null.
  DeadLetterSink* dead_letter_sink = nullptr;
  // Evaluates the alert rules after each committed batch (--alerts); not owned; may be null.
  AlertStage* alerts = nullptr;
};

// Live counters, readable from other threads (status lines, metrics).
struct ProcessorCounters {
  std::atomic<int64_t> consumed{0};      // messages read from the bus
  std::atomic<int64_t> processed{0};     // events committed as rows
  std::atomic<int64_t> dead_letters{0};  // messages committed as dead letters
  std::atomic<int64_t> batches{0};
  std::atomic<int64_t> lag{-1};
  std::atomic<int64_t> retries{0};  // store or bus calls that failed and were retried
};

class Processor {
 public:
  Processor(bus::MessageSource& source, store::RawStore& raw, store::ProcessedStore& processed,
            ProcessorOptions options);

  // Runs until `stop` becomes true, the idle limit passes, or a non-retryable error occurs
  // (returned). Creates the stores' tables first.
  Status Run(const std::atomic<bool>& stop);

  const ProcessorCounters& counters() const { return counters_; }
  // Called after each committed batch (for live dashboards); must be cheap.
  void OnCommit(std::function<void()> callback) { on_commit_ = std::move(callback); }

 private:
  using Clock = std::chrono::steady_clock;
  // True once --idle-exit applies: nothing new since `last_activity`, or since the source's
  // first assignment, for that long; or no assignment at all for kAssignmentWait.
  bool IdleTooLong(Clock::time_point last_activity);
  // The first stage's write of the batch's events; rows the raw store refuses (RefusedValue)
  // are found by bisection and become dead letters.
  Status WriteRaw(DecodedBatch& batch, const std::atomic<bool>& stop);
  // The second stage (commit_stage.h): the batch's rows, rollups, dead letters and offsets;
  // rows the processed store refuses become dead letters the same way.
  Status CommitProcessed(DecodedBatch& batch, const std::atomic<bool>& stop);
  // ProcessedStore::Flush, retried on outages.
  Status FlushProcessed(const std::atomic<bool>& stop);
  // ProcessedStore::FlushPiece, retried on outages: whether nothing is left to write back.
  Result<bool> FlushProcessedPiece(const std::atomic<bool>& stop);
  void ReportRefused(const char* store, const std::vector<Refusal>& refused, size_t rows);
  // Calls `attempt` until it succeeds, fails for good, or `stop` is set.
  Status WithRetry(const char* what, const std::atomic<bool>& stop,
                   const std::function<Status()>& attempt);

  bus::MessageSource& source_;
  store::RawStore& raw_;
  store::ProcessedStore& processed_;
  ProcessorOptions options_;
  ProcessorCounters counters_;
  std::function<void()> on_commit_;
  Clock::time_point started_ = Clock::now();
  std::optional<Clock::time_point> assigned_at_;  // when the source first held partitions
};

}  // namespace shopstream::pipeline
