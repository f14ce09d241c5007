#include "cli/reach.h"

#include <thread>

#include "cli/commands.h"

namespace shopstream::cli {
namespace {

bool Has(const std::string& text, std::string_view needle) {
  return text.find(needle) != std::string::npos;
}

}  // namespace

std::string WithLikelyCause(const std::string& message) {
  if (Has(message, "mysql://") && Has(message, "using password: NO")) {
    return message +
           " (no password was given: set SHOPSTREAM_MYSQL_PASSWORD, or name an option file "
           "with [client] password= in ?option-file=PATH or SHOPSTREAM_MYSQL_OPTION_FILE)";
  }
  if (Has(message, "postgres://") &&
      (Has(message, "no password supplied") || Has(message, "password authentication failed"))) {
    return message +
           " (set SHOPSTREAM_PG_PASSWORD, or give a password file in PGPASSFILE, "
           "~/.pgpass by default)";
  }
  if (Has(message, "Access denied") || Has(message, "authentication failed")) {
    return message + " (the server refused the login: check the user and password)";
  }
  if (Has(message, "refused") || Has(message, "Can't connect")) {
    return message + " (nothing listens there: check the host and port, and that the server runs)";
  }
  if (Has(message, "Unknown server host") || Has(message, "could not translate host name") ||
      Has(message, "Name or service not known") || Has(message, "resolve")) {
    return message + " (unknown host: check its name)";
  }
  if (Has(message, "timed out") || Has(message, "timeout") || Has(message, "Lost connection") ||
      Has(message, "handshake") || Has(message, "server closed the connection") ||
      Has(message, "expected authentication request")) {
    return message + " (no answer in that protocol: is the port that of this kind of server?)";
  }
  return message;
}

void ReachOrExit(const std::string& what, std::chrono::milliseconds timeout,
                 const std::function<Status()>& attempt) {
  using Clock = std::chrono::steady_clock;
  const auto deadline = Clock::now() + timeout;
  std::chrono::milliseconds delay{100};
  for (;;) {
    Status s = attempt();
    if (s.ok()) return;
    if (!s.retryable() || Clock::now() + delay >= deadline) {
      throw CommandExit(kExitFailure, "cannot use " + what + ": " + WithLikelyCause(s.message()));
    }
    std::this_thread::sleep_for(delay);  // bounded: the loop ends at the deadline
    delay = std::min(delay * 2, std::chrono::milliseconds(1000));
  }
}

int ExitCodeFor(const Status& s) {
  return s.code() == StatusCode::kInvalidArgument ? kExitBadInput : kExitFailure;
}

std::unique_ptr<bus::MessageSource> OpenSourceOrExit(const std::string& uri,
                                                     const endpoints::SourceOptions& options) {
  auto source = endpoints::OpenSource(uri, options);
  if (source.ok()) return std::move(source).value();
  const Status& s = source.status();
  if (s.code() == StatusCode::kNotFound) {
    throw CommandExit(kExitFailure, s.message() +
                                        " (create it: shopstream produce --to creates it, or "
                                        "kafka-topics.sh --create; or wait for it: "
                                        "--wait-for-topic)");
  }
  throw CommandExit(ExitCodeFor(s), WithLikelyCause(s.message()));
}

}  // namespace shopstream::cli
