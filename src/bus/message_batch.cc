#include "bus/message_batch.h"

#include <algorithm>
#include <cstring>

namespace shopstream::bus {
namespace {

// A block holds about 3,000 of the seed's messages; a larger payload gets a block of its size.
constexpr size_t kBlockBytes = 1 << 20;

}  // namespace

char* MessageBatch::Reserve(size_t bytes) {
  bytes += kPayloadPadding;
  while (current_ < blocks_.size()) {
    Block& block = blocks_[current_];
    if (block.capacity - used_ >= bytes) return block.bytes.get() + used_;
    ++current_;  // the rest of this block stays unused until Clear()
    used_ = 0;
  }
  const size_t capacity = std::max(kBlockBytes, bytes);
  blocks_.push_back(Block{std::make_unique_for_overwrite<char[]>(capacity), capacity});
  current_ = blocks_.size() - 1;
  used_ = 0;
  return blocks_.back().bytes.get();
}

void MessageBatch::Add(int32_t partition, int64_t offset, std::string_view payload) {
  char* at = Reserve(payload.size());
  if (!payload.empty()) std::memcpy(at, payload.data(), payload.size());
  // Defined bytes for whoever reads them; the next payload goes over them.
  std::memset(at + payload.size(), 0, kPayloadPadding);
  used_ += payload.size();
  messages_.push_back(Message{partition, offset, std::string_view(at, payload.size())});
}

void MessageBatch::Clear() {
  messages_.clear();
  current_ = 0;
  used_ = 0;
}

}  // namespace shopstream::bus
