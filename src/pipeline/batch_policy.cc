#include "pipeline/batch_policy.h"

#include <algorithm>

namespace shopstream::pipeline {

using std::chrono::milliseconds;

bool BatchPolicy::ShouldClose(Clock::time_point now, size_t size, size_t added,
                              const CommitState& commit) const {
  if (size >= options_.max_batch) return true;
  if (size == 0) return false;
  const auto age = now - opened_;
  if (age >= options_.trigger) return true;
  // Caught up: a whole linger brought nothing, so waiting longer only adds latency. A backlog
  // never takes this exit, so batches stay large under load.
  if (added == 0 && size > 0) return true;
  if (age < options_.linger) return false;
  if (commit.idle) return true;
  // The commit in hand should end before this batch's raw write would: close now, so that the
  // raw write overlaps it. Not behind a queued batch, and not before both were measured.
  if (commit.queued || !raw_ || !commit_) return false;
  return now - commit.busy_since + *raw_ >= *commit_;
}

milliseconds BatchPolicy::NextWait(Clock::time_point now, size_t size) const {
  // Short slices, so that Ctrl-C and the trigger are honoured promptly; once the batch holds
  // something, a slice is the linger after which a quiet bus closes it.
  const milliseconds slice = size == 0 ? milliseconds(100) : options_.linger;
  const auto left = std::chrono::duration_cast<milliseconds>(opened_ + options_.trigger - now);
  return std::clamp(left, milliseconds(1), std::max(slice, milliseconds(1)));
}

void BatchPolicy::Fold(std::optional<Duration>* estimate, Duration took) {
  // Three parts of the old to one of the new: a single slow commit (a write-back piece, a
  // checkpoint) moves the estimate, but does not replace it.
  *estimate = *estimate ? (**estimate * 3 + took) / 4 : took;
}

}  // namespace shopstream::pipeline
