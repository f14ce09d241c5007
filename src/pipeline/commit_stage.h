// The processor's second stage: a thread that commits processed batches one at a time while
// the first stage already reads, decodes and writes the raw events of the next batch. So
// raw(N+1) overlaps processed(N), and raw(N) still lands before processed(N) commits its
// offsets: a crash can leave raw rows ahead of the offsets (rewritten idempotently by id),
// never offsets ahead of raw rows.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "common/status.h"
#include "pipeline/batch_builder.h"
#include "pipeline/batch_policy.h"
#include "store/store.h"

namespace shopstream::pipeline {

class CommitStage {
 public:
  // `commit` runs on the stage's thread, one batch at a time, in submission order; an error
  // it returns is final: the stage stops taking batches.
  explicit CommitStage(std::function<Status(DecodedBatch&)> commit);
  ~CommitStage();  // finishes the batch in hand, then stops
  CommitStage(const CommitStage&) = delete;
  CommitStage& operator=(const CommitStage&) = delete;

  // Hands a batch over, waiting while the previous one is still committing. False once the
  // stage has failed (see status()).
  bool Submit(DecodedBatch batch);
  // Waits until every submitted batch is committed (or the stage failed).
  void Drain();
  // Whether a batch submitted now would start committing at once (none pending or committing),
  // whether a batch waits, and since when the one in hand commits (batch_policy.h).
  CommitState State();
  // How long each batch committed since the last call took.
  std::vector<std::chrono::steady_clock::duration> TakeCommitTimes();
  // The offsets of the batches committed since the last call, for MessageSource::Acknowledge
  // on the caller's thread (sources are not thread-safe).
  std::vector<OffsetMap> TakeCommitted();
  // The last batch committed since the last call, for the BatchBuilder to reuse its memory.
  std::optional<DecodedBatch> TakeSpent();
  Status status();

 private:
  void Loop();

  std::function<Status(DecodedBatch&)> commit_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::optional<DecodedBatch> pending_;
  bool busy_ = false;  // a batch is being committed
  std::chrono::steady_clock::time_point busy_since_{};
  std::vector<std::chrono::steady_clock::duration> commit_times_;
  bool closing_ = false;
  Status status_;
  std::vector<OffsetMap> committed_;
  std::optional<DecodedBatch> spent_;
  std::thread thread_;
};

}  // namespace shopstream::pipeline
