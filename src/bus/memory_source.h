// A MessageSource over partitions held in memory: the one fake bus of the tests (the processor's,
// the archiver's), and it passes the MessageSource conformance suite like the real ones. Each
// poll hands out a few messages of each partition in turn, as a consumer of several partitions
// sees them. Messages may be appended while a source reads them.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "bus/bus.h"

namespace shopstream::bus {

// The messages of every partition; offsets start at 0 and have no gaps.
class MemoryPartitions {
 public:
  MemoryPartitions() = default;
  explicit MemoryPartitions(std::map<int32_t, std::vector<std::string>> partitions)
      : partitions_(std::move(partitions)) {}
  void Append(int32_t partition, const std::vector<std::string>& payloads);

 private:
  friend class MemorySource;
  std::mutex mu_;
  std::map<int32_t, std::vector<std::string>> partitions_;
};

struct MemorySourceOptions {
  bool start_latest = false;  // partitions without an offset of record begin at their end
  // The first poll only assigns, returning nothing (as Kafka's first fetch often does).
  bool empty_poll_after_assignment = false;
  std::string stream_id{};  // what stream_id() says, as a Kafka topic's id
};

class MemorySource final : public MessageSource {
 public:
  explicit MemorySource(std::shared_ptr<MemoryPartitions> partitions,
                        MemorySourceOptions options = {});
  explicit MemorySource(std::map<int32_t, std::vector<std::string>> partitions,
                        MemorySourceOptions options = {});
  // One partition (0) holding `payloads`.
  explicit MemorySource(std::vector<std::string> payloads);

  void SetAssignmentListener(AssignmentListener listener) override;
  Status PollInto(size_t max_messages, std::chrono::milliseconds timeout,
                  MessageBatch* out) override;
  int64_t Lag() override;
  OffsetMap TakeStartPositions() override { return std::exchange(start_positions_, {}); }
  std::string stream_name() const override { return "memory"; }
  std::string stream_id() const override { return options_.stream_id; }

 private:
  void Assign();

  std::shared_ptr<MemoryPartitions> partitions_;
  MemorySourceOptions options_;
  AssignmentListener listener_;
  bool assigned_ = false;
  std::map<int32_t, int64_t> next_;
  OffsetMap start_positions_;  // partitions that began at the default start, and where
};

}  // namespace shopstream::bus
