// A regular file mapped read-only into memory, for readers that cut it into slices.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"

namespace shopstream::csv {

class MappedFile {
 public:
  // NotFound / IoError naming the path.
  static Result<std::unique_ptr<MappedFile>> Open(const std::string& path);
  ~MappedFile();
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  std::string_view bytes() const { return bytes_; }

  // Drops the pages wholly before `offset` from this process's memory (the page cache keeps
  // them; a later read faults them in again), so that a front-to-back reader's resident size
  // stays small however large the file.
  void ReleaseBefore(uint64_t offset);

 private:
  MappedFile(void* address, size_t size);
  void* address_;
  std::string_view bytes_;
  uint64_t released_ = 0;
};

// True when `path` is a regular file that is not compressed (by its name): one that can be
// mapped and cut into slices.
bool IsPlainRegularFile(const std::string& path, uint64_t* size);

}  // namespace shopstream::csv
