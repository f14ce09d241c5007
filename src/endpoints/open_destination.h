#pragma once
// Opens an archive destination by URI: the local one in archive/, WebHDFS in hdfs/.

#include <memory>
#include <string>

#include "archive/destination.h"
#include "common/status.h"

namespace shopstream::endpoints {

// file:///ABS/DIR, hdfs://HOST:PORT/PATH or webhdfs://HOST:PORT/PATH (PORT: the NameNode's
// HTTP port, where WebHDFS answers; 9870 when left out). InvalidArgument for anything else.
Result<std::unique_ptr<archive::Destination>> OpenDestination(const std::string& uri);

}  // namespace shopstream::endpoints
