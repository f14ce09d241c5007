// Destination on a local (or mounted) file system: file:///ABS/DIR. Files are written with
// write(2) and fsync(2), renames are rename(2) followed by an fsync of the folder, so that a
// file under its final name is complete even after a power cut.
#pragma once

#include <memory>
#include <string>

#include "archive/destination.h"

namespace shopstream::archive {

// `root` is created if missing. IoError when it cannot be.
Result<std::unique_ptr<Destination>> OpenFileDestination(const std::string& root,
                                                         const std::string& uri);

}  // namespace shopstream::archive
