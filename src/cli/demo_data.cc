#include "cli/demo_data.h"

namespace shopstream::cli {

// Wired to the generator once it lands; until then the demo needs --input.
Result<std::string> EnsureDemoData(const std::string&, int64_t, uint64_t) {
  return Status::Internal("the generator is not built yet: pass --input FILE");
}

}  // namespace shopstream::cli
