// Keeps librdkafka's fetchers busy while the consumer lags. librdkafka 2.0 stops fetching a
// partition whose prefetch queue has reached queued.max.messages.kbytes (or
// queued.min.messages) and looks at that queue again only when its broker thread wakes up,
// which an otherwise idle thread does once a second (librdkafka 2.2 made that interval the
// setting fetch.queue.backoff.ms). A consumer that drains the queue faster than that spends
// most of every second waiting. Any request to the partition's leader wakes its broker thread;
// the FetchWaker sends the cheapest one, a ListOffsets for the high watermark, from a thread of
// its own, so that the caller never waits for the answer.
// Thread-safe: Wake() may be called from any thread; the destructor joins the thread, and must
// run before the consumer is destroyed.
#pragma once

#include <librdkafka/rdkafka.h>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace shopstream::kafka {

class FetchWaker {
 public:
  // `consumer` and `topic` must outlive the waker.
  FetchWaker(rd_kafka_t* consumer, std::string topic);
  ~FetchWaker();
  FetchWaker(const FetchWaker&) = delete;
  FetchWaker& operator=(const FetchWaker&) = delete;

  // Wakes the broker threads that fetch `partitions`, soon, without waiting. Calls made while a
  // request is in flight are merged into one request that follows it.
  void Wake(const std::vector<int32_t>& partitions);
  // Requests sent so far (diagnostics and tests).
  int64_t requests() const { return requests_.load(); }

 private:
  void Loop();

  rd_kafka_t* const consumer_;
  const std::string topic_;
  std::mutex mutex_;
  std::condition_variable wanted_;
  std::set<int32_t> pending_;  // partitions to wake with the next request
  bool closing_ = false;
  std::atomic<int64_t> requests_{0};
  std::thread thread_;
};

}  // namespace shopstream::kafka
