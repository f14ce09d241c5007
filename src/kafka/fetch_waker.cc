#include "kafka/fetch_waker.h"

#include "kafka/kafka_handles.h"

namespace shopstream::kafka {
namespace {

// A leader answers ListOffsets in a millisecond or two; an answer that takes longer still woke
// the fetcher when the request was sent.
constexpr int kRequestTimeoutMs = 1000;

}  // namespace

FetchWaker::FetchWaker(rd_kafka_t* consumer, std::string topic)
    : consumer_(consumer), topic_(std::move(topic)), thread_([this] { Loop(); }) {}

FetchWaker::~FetchWaker() {
  {
    std::lock_guard lock(mutex_);
    closing_ = true;
  }
  wanted_.notify_all();
  thread_.join();
}

void FetchWaker::Wake(const std::vector<int32_t>& partitions) {
  if (partitions.empty()) return;
  {
    std::lock_guard lock(mutex_);
    pending_.insert(partitions.begin(), partitions.end());
  }
  wanted_.notify_one();
}

void FetchWaker::Loop() {
  std::unique_lock lock(mutex_);
  for (;;) {
    wanted_.wait(lock, [&] { return closing_ || !pending_.empty(); });
    if (closing_) return;
    PartitionListPtr list(rd_kafka_topic_partition_list_new(static_cast<int>(pending_.size())));
    for (int32_t partition : pending_) {
      rd_kafka_topic_partition_list_add(list.get(), topic_.c_str(), partition)->offset =
          RD_KAFKA_OFFSET_END;  // asks for the high watermark
    }
    pending_.clear();
    lock.unlock();
    requests_++;
    // The answer is not needed: the request has done its work once the leader's broker thread
    // picked it up. Errors (a leader moving, say) cost only this wake-up.
    rd_kafka_offsets_for_times(consumer_, list.get(), kRequestTimeoutMs);
    lock.lock();
  }
}

}  // namespace shopstream::kafka
