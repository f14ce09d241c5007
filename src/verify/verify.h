// `shopstream verify`: did the pipeline lose or double anything? Reads the bus's messages and
// looks each one up in the raw and processed stores (or among the dead letters), then checks
// the rollups against a recount of the stored rows.
//
// Memory stays bounded: messages are read and looked up one chunk at a time (kChunk messages:
// their ids, one IN query per few hundred ids, one dead-letter range query per partition), and
// only counters outlive a chunk; the rollup recount runs inside the database (GROUP BY and
// joins), so the client receives a handful of totals whatever the number of rows.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>

#include "common/status.h"
#include "verify/processed_checks.h"

namespace shopstream::verify {

struct VerifyOptions {
  std::string bus;               // sqlite:///PATH or kafka://HOSTS/TOPIC
  std::string raw;               // sqlite:///PATH or cassandra://HOSTS/KEYSPACE.TABLE
  std::string processed;         // sqlite:///PATH, mysql://..., postgres://...
  std::set<int32_t> partitions;  // empty: every partition
  int64_t since = 0;             // first offset read in each partition
  // How long the bus may stay silent before its end counts as unreachable.
  std::chrono::milliseconds idle_timeout{60000};
  // How long a Kafka broker may take to answer at start; a topic that does not exist is
  // NotFound at once rather than waited for (there is nothing to verify).
  std::chrono::milliseconds connect_timeout{10000};
  size_t chunk = 5000;
};

struct VerifyReport {
  int64_t messages = 0;           // read from the bus (in the chosen partitions and offsets)
  int64_t stored = 0;             // whose id is in the raw and in the processed store
  int64_t raw_missing = 0;        // not a dead letter, id not in the raw store
  int64_t processed_missing = 0;  // not a dead letter, id not in the processed store
  int64_t missing = 0;            // not a dead letter and absent from either store
  // Dead letters stored since by `deadletters replay`: in the processed store only (a replay
  // does not write the raw store), so neither missing nor dead letters.
  int64_t replayed = 0;
  int64_t dead_letters = 0;                            // still open or quarantined
  std::map<std::string, int64_t> dead_letter_reasons;  // at most kMaxReasons, then "(other)"
  RollupCheck rollups;
  std::string stream;
  bool ok() const { return missing == 0 && rollups.ok(); }
  // Events counted more than once by the rollups: what "duplicated" means for stores whose
  // rows are keyed by id (a second row of one id cannot exist).
  int64_t duplicated() const { return rollups.overcounted; }
};

// InvalidArgument for a store without shopstream's tables or a bad URI; Unavailable when a
// server cannot be reached; other errors as the stores report them.
Result<VerifyReport> Verify(const VerifyOptions& options);

std::string SummaryLine(const VerifyReport& report);
std::string JsonReport(const VerifyReport& report);

}  // namespace shopstream::verify
