// The messages of one micro-batch, with their payloads in memory the batch owns: large blocks
// that payloads are copied into one after another (an arena). Adding a message allocates only
// when a block is full, so a batch that is cleared and filled again allocates nothing, and each
// payload is followed by kPayloadPadding readable bytes, so that a SIMD parser may read past
// its end without a copy (simdjson's padding). Those bytes are the next payloads, and zeros
// after the last one of a block: padding each payload cost 64 bytes of every ~320-byte message
// held until its batch commits, and simdjson reads the padding without minding its contents.
// Not thread-safe; a batch may move between threads with its messages (blocks never move).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

namespace shopstream::bus {

// One message of a bus. `payload` points into the MessageBatch that holds the message and is
// valid while that batch lives and until it is cleared.
struct Message {
  int32_t partition = 0;
  int64_t offset = 0;
  std::string_view payload;
};

class MessageBatch {
 public:
  // Readable bytes after every payload (the next payloads, or zeros).
  static constexpr size_t kPayloadPadding = 64;

  MessageBatch() = default;
  MessageBatch(MessageBatch&&) noexcept = default;
  MessageBatch& operator=(MessageBatch&&) noexcept = default;
  MessageBatch(const MessageBatch&) = delete;
  MessageBatch& operator=(const MessageBatch&) = delete;

  // Copies `payload` into the batch and appends a message pointing at the copy.
  void Add(int32_t partition, int64_t offset, std::string_view payload);
  // Forgets every message; keeps the memory for the next ones.
  void Clear();

  // The messages, in the order added; callers may reorder or remove them (never add: use Add).
  std::vector<Message>& messages() { return messages_; }
  const std::vector<Message>& messages() const { return messages_; }
  size_t size() const { return messages_.size(); }
  bool empty() const { return messages_.empty(); }
  const Message& operator[](size_t i) const { return messages_[i]; }
  const Message& front() const { return messages_.front(); }
  const Message& back() const { return messages_.back(); }
  std::vector<Message>::const_iterator begin() const { return messages_.begin(); }
  std::vector<Message>::const_iterator end() const { return messages_.end(); }

 private:
  struct Block {
    std::unique_ptr<char[]> bytes;
    size_t capacity = 0;
  };
  // Room for `bytes` and the padding after them at blocks_[current_] + used_, adding a block if
  // needed.
  char* Reserve(size_t bytes);

  std::vector<Message> messages_;
  std::vector<Block> blocks_;
  size_t current_ = 0;  // the block being filled
  size_t used_ = 0;     // bytes used in it
};

}  // namespace shopstream::bus
