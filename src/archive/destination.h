// Where the archive's files go: a folder tree on local disk or on HDFS. Paths are relative to
// the destination's root and use '/'. A destination only moves bytes and classifies failures
// (Unavailable: a retry may help, e.g. the NameNode is down or in safe mode; anything else: it
// will not); the archiver owns retries. Not thread-safe: one thread uses it.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace shopstream::archive {

class Destination {
 public:
  virtual ~Destination() = default;

  // Creates the folder and its parents; Ok when it exists.
  virtual Status MakeDirs(const std::string& dir) = 0;
  // Names of the entries of a folder ("" is the root), unsorted; empty when it does not exist.
  virtual Result<std::vector<std::string>> List(const std::string& dir) = 0;
  // Creates or replaces the file with `bytes`; when Ok, the bytes are durable.
  virtual Status Write(const std::string& path, std::string_view bytes) = 0;
  // Renames atomically, replacing nothing. Ok when `from` is gone and `to` is there (a retry
  // of a rename whose answer was lost).
  virtual Status Rename(const std::string& from, const std::string& to) = 0;
  // Removes a file; Ok when it does not exist.
  virtual Status Delete(const std::string& path) = 0;
  // The destination as a URI, for messages.
  virtual const std::string& uri() const = 0;
};

}  // namespace shopstream::archive
