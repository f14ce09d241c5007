#include "common/retry.h"

#include <gtest/gtest.h>

namespace shopstream {
namespace {

constexpr Backoff kQuick{std::chrono::milliseconds(1), std::chrono::milliseconds(2)};

TEST(RetryWithBackoff, RetriesOutagesUntilTheyPass) {
  std::atomic<bool> stop{false};
  std::atomic<int64_t> retries{0};
  int calls = 0;
  Status s = RetryWithBackoff(
      "test", stop, kQuick,
      [&] { return ++calls < 4 ? Status::Unavailable("down") : Status::Ok(); }, &retries);
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(calls, 4);
  EXPECT_EQ(retries, 3);
}

TEST(RetryWithBackoff, ReturnsWhatNoRetryCuresAtOnce) {
  std::atomic<bool> stop{false};
  int calls = 0;
  Status s = RetryWithBackoff("test", stop, kQuick, [&] {
    ++calls;
    return Status::IoError("bad");
  });
  EXPECT_EQ(s.code(), StatusCode::kIoError);
  EXPECT_EQ(calls, 1);
}

TEST(RetryWithBackoff, AStopEndsTheWait) {
  std::atomic<bool> stop{false};
  Status s = RetryWithBackoff("test", stop, {std::chrono::hours(1), std::chrono::hours(1)}, [&] {
    stop = true;  // set while the call fails: the hour-long wait must not happen
    return Status::Unavailable("down");
  });
  EXPECT_TRUE(s.retryable());
  EXPECT_NE(s.message().find("stopped while retrying"), std::string::npos);
}

}  // namespace
}  // namespace shopstream
