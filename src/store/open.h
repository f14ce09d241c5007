// Opens a store by URI scheme: sqlite:///PATH (embedded), cassandra://... (raw),
// mysql://... (processed).
#pragma once

#include <memory>
#include <string>

#include "common/status.h"
#include "store/store.h"

namespace shopstream {

Result<std::unique_ptr<RawStore>> OpenRawStore(const std::string& uri);
Result<std::unique_ptr<ProcessedStore>> OpenProcessedStore(const std::string& uri);

}  // namespace shopstream
