#include "pipeline/commit_stage.h"

namespace shopstream::pipeline {

CommitStage::CommitStage(std::function<Status(DecodedBatch&)> commit)
    : commit_(std::move(commit)), thread_([this] { Loop(); }) {}

CommitStage::~CommitStage() {
  {
    std::lock_guard lock(mutex_);
    closing_ = true;
    changed_.notify_all();
  }
  thread_.join();
}

bool CommitStage::Submit(DecodedBatch batch) {
  std::unique_lock lock(mutex_);
  // Until the one in hand is committed, not only taken: a batch that waited in the slot while
  // the first stage built the next one was a third batch in memory (each about 20 MB at 20,000
  // messages), and bought no throughput, since the next one is built during the commit anyway.
  changed_.wait(lock, [&] { return (!pending_ && !busy_) || !status_.ok(); });
  if (!status_.ok()) return false;
  pending_ = std::move(batch);
  changed_.notify_all();
  return true;
}

void CommitStage::Drain() {
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [&] { return (!pending_ && !busy_) || !status_.ok(); });
}

CommitState CommitStage::State() {
  std::lock_guard lock(mutex_);
  return {.idle = !pending_ && !busy_, .queued = pending_.has_value(), .busy_since = busy_since_};
}

std::vector<std::chrono::steady_clock::duration> CommitStage::TakeCommitTimes() {
  std::lock_guard lock(mutex_);
  return std::exchange(commit_times_, {});
}

std::vector<OffsetMap> CommitStage::TakeCommitted() {
  std::lock_guard lock(mutex_);
  return std::exchange(committed_, {});
}

std::optional<DecodedBatch> CommitStage::TakeSpent() {
  std::lock_guard lock(mutex_);
  return std::exchange(spent_, std::nullopt);
}

Status CommitStage::status() {
  std::lock_guard lock(mutex_);
  return status_;
}

void CommitStage::Loop() {
  std::unique_lock lock(mutex_);
  for (;;) {
    changed_.wait(lock, [&] { return pending_ || closing_; });
    if (!pending_) return;  // closing with nothing in hand
    DecodedBatch batch = std::move(*pending_);
    pending_.reset();
    busy_ = true;
    busy_since_ = std::chrono::steady_clock::now();
    changed_.notify_all();  // the slot is free: the first stage may submit the next batch
    lock.unlock();
    Status s = commit_(batch);
    lock.lock();
    busy_ = false;
    if (s.ok()) {
      commit_times_.push_back(std::chrono::steady_clock::now() - busy_since_);
      committed_.push_back(std::move(batch.processed.next_offsets));
      spent_ = std::move(batch);
    } else {
      status_ = s;
      pending_.reset();
    }
    changed_.notify_all();
    if (!status_.ok()) return;
  }
}

}  // namespace shopstream::pipeline
