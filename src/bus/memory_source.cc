#include "bus/memory_source.h"

#include <iterator>

namespace shopstream::bus {

namespace {
constexpr int kPerPartitionTurn = 7;  // messages of one partition before the next one's
}

void MemoryPartitions::Append(int32_t partition, const std::vector<std::string>& payloads) {
  std::lock_guard lock(mu_);
  auto& messages = partitions_[partition];
  messages.insert(messages.end(), payloads.begin(), payloads.end());
}

MemorySource::MemorySource(std::shared_ptr<MemoryPartitions> partitions,
                           MemorySourceOptions options)
    : partitions_(std::move(partitions)), options_(options) {}

MemorySource::MemorySource(std::map<int32_t, std::vector<std::string>> partitions,
                           MemorySourceOptions options)
    : MemorySource(std::make_shared<MemoryPartitions>(std::move(partitions)), options) {}

MemorySource::MemorySource(std::vector<std::string> payloads)
    : MemorySource(std::map<int32_t, std::vector<std::string>>{{0, std::move(payloads)}}) {}

void MemorySource::SetAssignmentListener(AssignmentListener listener) {
  listener_ = std::move(listener);
}

// Every partition there is, at the offset of record or else at the start the options say.
void MemorySource::Assign() {
  std::vector<int32_t> all;
  std::map<int32_t, int64_t> ends;
  {
    std::lock_guard lock(partitions_->mu_);
    for (const auto& [p, messages] : partitions_->partitions_) {
      all.push_back(p);
      ends[p] = std::ssize(messages);
    }
  }
  OffsetMap resume = listener_ ? listener_(all) : OffsetMap{};
  for (int32_t p : all) {
    auto it = resume.find(p);
    if (it != resume.end()) {
      next_[p] = it->second;
    } else {
      next_[p] = options_.start_latest ? ends[p] : 0;
      if (options_.start_latest) start_positions_[p] = next_[p];  // "the end" as a number
    }
  }
  assigned_ = true;
}

Status MemorySource::PollInto(size_t max_messages, std::chrono::milliseconds, MessageBatch* out) {
  if (!assigned_) {
    Assign();
    if (options_.empty_poll_after_assignment) return Status::Ok();
  }
  std::lock_guard lock(partitions_->mu_);
  const size_t limit = out->size() + max_messages;
  for (bool more = true; more && out->size() < limit;) {
    more = false;
    for (auto& [p, next] : next_) {
      const auto& messages = partitions_->partitions_[p];
      for (int k = 0; k < kPerPartitionTurn && out->size() < limit && next < std::ssize(messages);
           ++k) {
        out->Add(p, next, messages[next]);
        ++next;
        more = true;
      }
    }
  }
  return Status::Ok();
}

int64_t MemorySource::Lag() {
  std::lock_guard lock(partitions_->mu_);
  int64_t lag = 0;
  for (const auto& [p, next] : next_) lag += std::ssize(partitions_->partitions_[p]) - next;
  return lag;
}

}  // namespace shopstream::bus
