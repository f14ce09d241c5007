// Sequential byte output to a file, compressed by the file's extension: `.gz` is gzip,
// `.zip` a zip holding one file (named like the zip, with `.csv`), `-` is standard output.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"

namespace shopstream::csv {

class ByteSink {
 public:
  virtual ~ByteSink() = default;
  virtual Status Write(std::string_view bytes) = 0;
  // Flushes and closes; the output is complete only when this returns Ok.
  virtual Status Close() = 0;
  virtual const std::string& name() const = 0;
};

// Creates (or truncates) `path`. An unwritable path is IoError naming it.
Result<std::unique_ptr<ByteSink>> OpenByteSink(const std::string& path);

}  // namespace shopstream::csv
