#include "common/retry.h"

#include <algorithm>
#include <thread>

#include "common/log.h"

namespace shopstream {

Status RetryWithBackoff(const std::string& what, const std::atomic<bool>& stop, Backoff backoff,
                        const std::function<Status()>& attempt, std::atomic<int64_t>* retries) {
  using Clock = std::chrono::steady_clock;
  using std::chrono::milliseconds;
  milliseconds delay = backoff.first;
  const auto first_failure = Clock::now();
  for (int failures = 0;; ++failures) {
    Status s = attempt();
    if (s.ok()) {
      if (failures > 0) {
        const auto waited =
            std::chrono::duration_cast<milliseconds>(Clock::now() - first_failure).count();
        LogInfo(what + ": recovered after " + std::to_string(failures) + " failed attempts in " +
                std::to_string(waited / 1000) + "." + std::to_string(waited % 1000 / 100) +
                " s; resuming");
      }
      return s;
    }
    if (!s.retryable()) return s;
    if (retries) (*retries)++;
    // The first failure and then every tenth, so that an outage does not flood the log.
    if (failures % 10 == 0) {
      LogWarn(what + " failed, retrying in " + std::to_string(delay.count()) + " ms (attempt " +
              std::to_string(failures + 1) +
              "; waiting for as long as it takes, nothing is skipped): " + s.ToString());
    }
    for (auto until = Clock::now() + delay; Clock::now() < until;) {
      if (stop) return Status::Unavailable(what + ": stopped while retrying");
      std::this_thread::sleep_for(milliseconds(20));
    }
    delay = std::min(delay * 2, backoff.max);
  }
}

}  // namespace shopstream
