// The consumer group a sink uses when --group is not given: named after the sink (the processed
// table, or the archive's folder), so that two different sinks on one topic never split its
// partitions between them by accident, and a restarted sink rejoins its own group.
#pragma once

#include <string>

namespace shopstream::cli {

// "shopstream:" or "shopstream-archive:" (`prefix`) and the sink's URI in a stable form: no
// options but a SQLite store's table, a local path made absolute, the default table named.
// Falls back to `prefix` alone for a URI that does not parse (its command reports it).
std::string DefaultGroup(const std::string& prefix, const std::string& sink_uri);

// `given` (--group) when set, else DefaultGroup; for a Kafka source (`from`) the group is logged,
// saying it was named after `sink_option` when it was.
std::string ConsumerGroup(const std::string& given, const std::string& prefix,
                          const std::string& sink_uri, const std::string& sink_option,
                          const std::string& from);

}  // namespace shopstream::cli
