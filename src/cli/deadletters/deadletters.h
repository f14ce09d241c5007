// `shopstream deadletters --store URI SUBCOMMAND`: what the dead letters of a processed store
// are, one file per subcommand (list, show, export, replay, purge) and this shared part.
#pragma once

#include <CLI/CLI.hpp>
#include <chrono>
#include <memory>
#include <string>

#include "pipeline/dead_letter_sink.h"
#include "sql/dead_letter_table.h"
#include "store/store.h"

namespace shopstream::cli {

struct DeadLettersArgs {
  std::string store;
  std::string connect_timeout = "10s";
};

enum class LetterAccess { kRead, kWrite };
// The store named by --store, its dead letters table ready: usage errors exit 2, a store that
// does not answer exits 1. kWrite (replay, purge) opens it for writing and starts the processed
// store (an older store gains the dead letters' columns in place), handed over in `processed`
// when given. kRead (list, show, export) only reads, and starts the store only when it lacks
// those columns.
std::unique_ptr<sql::DeadLetterTable> OpenDeadLettersOrExit(
    const DeadLettersArgs& args, LetterAccess access,
    std::unique_ptr<store::ProcessedStore>* processed = nullptr);

// The filter of `show` and `export`: --code, --since, --state.
struct LetterFilterArgs {
  std::string code, since, state;
};
void AddLetterFilterOptions(CLI::App* cmd, LetterFilterArgs* filter);
// The store's filter from those options; exit 2 on an unknown code or a bad time.
sql::DeadLetterFilter LetterFilterOrExit(const LetterFilterArgs& filter);

// --code's value: one of ReasonCodes(), or exit 2 naming them.
void CheckCodeOrExit(const std::string& code);
// A time for --since or --before: "YYYY-MM-DD[ HH:MM:SS][ UTC]" in UTC, as the store keeps it
// ("YYYY-MM-DD HH:MM:SS"); exit 2 naming `option` otherwise.
std::string StoreTimeOrExit(const std::string& option, const std::string& text);

// The provenance of a dead letter in one line: stream, partition and offset.
std::string Provenance(const store::DeadLetterKey& key);

// A message to replay and the dead letter it answers: from an exported file or a dead-letter
// topic. `where` names it in messages ("--from FILE:LINE", "kafka://...: partition P offset O").
struct LetterToReplay {
  store::DeadLetterKey key;
  std::string payload;
  std::string where;
};

// Header names of a dead-letter topic's records (as Kafka Connect's errors.deadletterqueue
// names its own __connect.errors.*): where the message came from and why it is a dead letter.
inline constexpr const char* kHeaderTopic = "shopstream.errors.topic";
inline constexpr const char* kHeaderPartition = "shopstream.errors.partition";
inline constexpr const char* kHeaderOffset = "shopstream.errors.offset";
inline constexpr const char* kHeaderCode = "shopstream.errors.code";
inline constexpr const char* kHeaderField = "shopstream.errors.field";
inline constexpr const char* kHeaderReason = "shopstream.errors.reason";

// process --dead-letters kafka://...: publishes each committed batch's dead letters, never
// blocking; exit 2 for a URI that is not kafka://. Flush it before it goes.
std::unique_ptr<pipeline::DeadLetterSink> OpenDeadLetterTopicOrExit(
    const std::string& uri, std::chrono::milliseconds timeout);
// Every record of a dead-letter topic, as letters to replay; exit 2 for a record without the
// headers, 1 when the topic cannot be read.
std::vector<LetterToReplay> ReadDeadLetterTopicOrExit(const std::string& uri,
                                                      std::chrono::milliseconds timeout);

void AddListCommand(CLI::App* parent, std::shared_ptr<DeadLettersArgs> args);
void AddShowCommand(CLI::App* parent, std::shared_ptr<DeadLettersArgs> args);
void AddExportCommand(CLI::App* parent, std::shared_ptr<DeadLettersArgs> args);
void AddReplayCommand(CLI::App* parent, std::shared_ptr<DeadLettersArgs> args);
void AddPurgeCommand(CLI::App* parent, std::shared_ptr<DeadLettersArgs> args);

}  // namespace shopstream::cli
