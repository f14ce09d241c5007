// This process's CPU time, for tools that report how much work a run cost.
#pragma once

namespace shopstream {

// User plus system CPU seconds of this process so far (getrusage).
double ProcessCpuSeconds();

}  // namespace shopstream
