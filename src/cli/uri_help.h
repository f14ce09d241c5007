// The one table of URI schemes for the commands' help: each scheme with an example, its URI
// options, and the environment variables that supply its secrets. Adding a scheme is one row.
#pragma once

#include <string>

namespace shopstream::cli {

// What a command's URI option is for; a scheme row names the roles it serves.
enum UriRole : unsigned {
  kBusUri = 1,        // produce --to, process/archive --from
  kRawUri = 2,        // process --raw
  kProcessedUri = 4,  // process --processed, serve --store
  kArchiveUri = 8,    // archive --to
  kCqlUri = 16,       // cql --to
};

// "URIs:" with one line per scheme serving any of `roles` (example, then what it is and its
// ?options), then "Secrets ...": the environment variables of those schemes. "" for 0.
std::string UriHelp(unsigned roles);

}  // namespace shopstream::cli
