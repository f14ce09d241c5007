// Retries with exponential backoff, for failures a retry may cure (Status::retryable()): the
// one policy of the processor and the archive. Connectors only classify failures; their
// callers retry them with this.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

#include "common/status.h"

namespace shopstream {

struct Backoff {
  std::chrono::milliseconds first{100};
  std::chrono::milliseconds max{10000};
};

// Calls `attempt` until it succeeds or fails for good (returned as it is), waiting `first`,
// then twice as long each time up to `max`, for as long as it takes. Logs the first failure and
// every tenth as warnings naming `what`, and the recovery. Returns Unavailable ("stopped while
// retrying") once `stop` is set during a wait. Adds each failed attempt to `*retries` if given.
Status RetryWithBackoff(const std::string& what, const std::atomic<bool>& stop, Backoff backoff,
                        const std::function<Status()>& attempt,
                        std::atomic<int64_t>* retries = nullptr);

}  // namespace shopstream
