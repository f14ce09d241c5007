// Fail fast at start: an endpoint that cannot be reached within the connect timeout ends the
// command (exit 1, one line naming it and the likely cause) instead of being waited for, as an
// outage is once the pipeline runs.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "common/status.h"
#include "endpoints/open_bus.h"

namespace shopstream::cli {

// Calls `attempt` (a store's Init, a destination's listing) until it succeeds, fails for good,
// or `timeout` has passed since the first call; retries quietly in between. Throws CommandExit
// (exit 1) naming `what` when it does not succeed.
void ReachOrExit(const std::string& what, std::chrono::milliseconds timeout,
                 const std::function<Status()>& attempt);

// `message` with the likely cause appended for failures people meet at start: a missing
// password names the variables and files that supply it, a refused connection or a silent
// port asks whether the host and port are right.
std::string WithLikelyCause(const std::string& message);

// The exit code of a failure at start: 2 for bad input (InvalidArgument), else 1.
int ExitCodeFor(const Status& s);

// The bus source of `uri`, or CommandExit: a missing topic (exit 1) says how to create it or wait
// for it (--wait-for-topic), anything else its exit code with the likely cause.
std::unique_ptr<bus::MessageSource> OpenSourceOrExit(const std::string& uri,
                                                     const endpoints::SourceOptions& options);

}  // namespace shopstream::cli
