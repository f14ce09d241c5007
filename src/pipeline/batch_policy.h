// When a micro-batch closes: a pure policy over the batch's age and size, the bus and the commit
// stage, told the time by its caller (tests pass a fake clock). A batch closes when
//   - it is full (max_batch);
//   - it is `trigger` old (a bound on how long its first message waits, whatever else happens);
//   - it holds messages and a poll of `linger` found nothing new (the bus caught up);
//   - it is `linger` old and the commit stage is idle: a steady stream's batch waits only while
//     the previous one commits, so its size follows the store's commit time;
//   - it is `linger` old and the batch in the commit stage should end within the time this one's
//     raw write takes (both estimated from recent batches): the raw write then overlaps that
//     commit instead of following it, which takes a raw write off every message's latency.
// Under a backlog the committer stays busy and batches fill to max_batch, so throughput keeps
// the large batches it needs; a quiet stream commits a linger after its first message.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>

namespace shopstream::pipeline {

struct BatchPolicyOptions {
  std::chrono::milliseconds trigger{1000};
  std::chrono::milliseconds linger{50};
  size_t max_batch = 20000;
};

// What the commit stage is doing when the policy is asked.
struct CommitState {
  bool idle = true;     // nothing committing or waiting: a batch submitted now starts at once
  bool queued = false;  // a batch waits behind the one committing: this one would wait longer
  std::chrono::steady_clock::time_point busy_since{};  // when the commit in hand began
};

class BatchPolicy {
 public:
  using Clock = std::chrono::steady_clock;
  using Duration = Clock::duration;

  explicit BatchPolicy(BatchPolicyOptions options) : options_(options) {}

  // A new batch, empty, begins at `now`.
  void Open(Clock::time_point now) { opened_ = now; }
  // After a poll that brought `added` messages, `size` in all.
  bool ShouldClose(Clock::time_point now, size_t size, size_t added,
                   const CommitState& commit) const;
  // Whether an empty batch should close (no messages: only the trigger, for status and flushes).
  bool EmptyExpired(Clock::time_point now) const { return now - opened_ >= options_.trigger; }
  // How long the next poll may wait for messages.
  std::chrono::milliseconds NextWait(Clock::time_point now, size_t size) const;

  // Measured durations of the last raw write and the last commit, folded into the estimates.
  void RecordRaw(Duration took) { Fold(&raw_, took); }
  void RecordCommit(Duration took) { Fold(&commit_, took); }
  std::optional<Duration> raw_estimate() const { return raw_; }
  std::optional<Duration> commit_estimate() const { return commit_; }

 private:
  static void Fold(std::optional<Duration>* estimate, Duration took);

  BatchPolicyOptions options_;
  Clock::time_point opened_{};
  std::optional<Duration> raw_, commit_;  // moving averages (recent batches weigh most)
};

}  // namespace shopstream::pipeline
