// Sequential byte input from a file, decompressing .gz and unpacking a one-file .zip on the
// fly. Readers above it see plain CSV bytes and never care where they come from.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"

namespace shopstream::csv {

class ByteSource {
 public:
  virtual ~ByteSource() = default;

  // Reads up to `capacity` bytes into `buffer`; 0 means the end of the data.
  virtual Result<size_t> Read(char* buffer, size_t capacity) = 0;

  // Bytes of the file on disk read so far and its total size (for progress: for compressed
  // files these count compressed bytes, so done/total is the true fraction of the work).
  virtual uint64_t bytes_consumed() const = 0;
  virtual uint64_t total_bytes() const = 0;

  // The file's path, for messages.
  virtual const std::string& name() const = 0;
};

// Opens `path` by its extension: `.gz` is gunzipped, `.zip` must hold exactly one file which
// is read, anything else is read as is. A missing file is NotFound, an unreadable one IoError,
// both naming the path.
Result<std::unique_ptr<ByteSource>> OpenByteSource(const std::string& path);

// Serves `data` from memory under the name `name` (tests, benchmarks), at most `max_read`
// bytes per Read (small steps put records across every buffer boundary).
std::unique_ptr<ByteSource> MakeMemorySource(std::string data, std::string name,
                                             size_t max_read = SIZE_MAX);
// Serves bytes owned by the caller, which must outlive the source (a mapped file, a fuzz input).
std::unique_ptr<ByteSource> MakeViewSource(std::string_view data, std::string name,
                                           size_t max_read = SIZE_MAX);

// True when `path` ends with `suffix`, ignoring ASCII case.
bool HasSuffix(const std::string& path, const std::string& suffix);

}  // namespace shopstream::csv
