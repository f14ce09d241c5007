// `deadletters replay`: the open dead letters (or those of a file, edited) through today's
// contract and store, each stored exactly once with its rows, rollups and people; those that fail
// again keep the new reason and count the try, and are quarantined after --max-tries.
#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <tuple>

#include "cli/cli_util.h"
#include "cli/commands.h"
#include "cli/common_options.h"
#include "cli/deadletters/deadletters.h"
#include "common/log.h"
#include "common/retry.h"
#include "common/text.h"
#include "pipeline/dead_letter_line.h"
#include "pipeline/dead_letter_replay.h"

namespace shopstream::cli {
namespace {

struct ReplayArgs {
  std::string code, from, long_text = "refuse";
  int max_tries = 3;
  bool dry_run = false;
  // Dead letters per transaction: each commit merges its rollups and people sketches once, so
  // larger chunks cost less per letter (as process's batches do).
  size_t chunk = 10000;
};

[[noreturn]] void BadLine(const std::string& file, size_t line, const std::string& why) {
  throw CommandExit(kExitBadInput, "--from " + file + ":" + std::to_string(line) + ": " + why);
}

// Every line of `file`, checked before anything is replayed: one bad line changes nothing.
std::vector<LetterToReplay> ReadFile(const std::string& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw CommandExit(kExitBadInput, "--from " + file + ": cannot read it");
  pipeline::DeadLetterLineReader reader;
  std::vector<LetterToReplay> out;
  std::map<std::tuple<std::string, int32_t, int64_t>, size_t> lines;  // provenance -> line
  std::string text;
  for (size_t line = 1; std::getline(in, text); ++line) {
    if (text.find_first_not_of(" \t\r") == std::string::npos) continue;
    auto parsed = reader.Parse(text);
    if (!parsed.ok()) BadLine(file, line, parsed.status().message());
    LetterToReplay l{.key = std::move(parsed->key),
                     .payload = std::move(parsed->payload),
                     .where = "--from " + file + ":" + std::to_string(line)};
    const auto [seen, fresh] =
        lines.emplace(std::tuple(l.key.stream, l.key.partition, l.key.offset), line);
    if (!fresh)
      BadLine(file, line, "repeats the provenance of line " + std::to_string(seen->second));
    out.push_back(std::move(l));
  }
  return out;
}

class ReplayRun {
 public:
  ReplayRun(store::ProcessedStore& store, const ReplayArgs& args, int64_t total)
      : replayer_(store, {.long_text = args.long_text == "truncate" ? LongText::kTruncate
                                                                    : LongText::kRefuse,
                          .max_tries = args.max_tries,
                          .dry_run = args.dry_run}),
        total_(total),
        dry_run_(args.dry_run),
        stop_(InstallStopSignals()) {}

  // Replays `items` of `stream`, retrying outages; exit 1 on a failure that lasts.
  void Replay(const std::string& stream, const std::vector<pipeline::ReplayItem>& items) {
    if (items.empty()) return;
    Status s = RetryWithBackoff("replaying dead letters", stop_, {},
                                [&] { return replayer_.Replay(stream, items); });
    if (!s.ok()) throw CommandExit(kExitFailure, s.message());
    Progress();
  }

  bool stopped() const { return stop_; }

  void Summary(int64_t skipped) const {
    const pipeline::DeadLetterReplayCounts& c = replayer_.counts();
    std::string line = std::string(dry_run() ? "dry run: would store " : "stored ") +
                       Grouped(c.stored) + " of " + Grouped(c.tried) + " dead letters";
    if (c.failed > 0) {
      line += "; " + Grouped(c.failed) + (dry_run() ? " would fail" : " failed again") + " (";
      bool first = true;
      for (const auto& [code, n] : c.failed_by_code) {
        line += std::string(first ? "" : ", ") + code + " " + Grouped(n);
        first = false;
      }
      line += ")";
    }
    if (skipped > 0)
      line += "; " + Grouped(skipped) + " skipped (not open: replayed or quarantined)";
    if (dry_run()) line += "; nothing was written (a store's refusal shows only on a real replay)";
    std::printf("%s\n", line.c_str());
  }

 private:
  bool dry_run() const { return dry_run_; }

  void Progress() {
    const auto now = std::chrono::steady_clock::now();
    if (now - last_ < std::chrono::seconds(5)) return;
    last_ = now;
    const pipeline::DeadLetterReplayCounts& c = replayer_.counts();
    LogInfo("replayed " + Grouped(c.tried) + " of " + Grouped(total_) + " (" + Grouped(c.stored) +
            " stored, " + Grouped(c.failed) + " failed)");
  }

  pipeline::DeadLetterReplayer replayer_;
  int64_t total_;
  bool dry_run_;
  std::atomic<bool>& stop_;
  std::chrono::steady_clock::time_point last_ = std::chrono::steady_clock::now();
};

void RunReplay(const DeadLettersArgs& args, const ReplayArgs& replay) {
  CheckCodeOrExit(replay.code);
  std::vector<LetterToReplay> file;
  if (replay.from.starts_with("kafka://")) {
    file = ReadDeadLetterTopicOrExit(replay.from, ConnectTimeout(args.connect_timeout));
  } else if (!replay.from.empty()) {
    file = ReadFile(replay.from);
  }
  std::unique_ptr<store::ProcessedStore> store;
  auto table = OpenDeadLettersOrExit(args, LetterAccess::kWrite, &store);
  sql::DeadLetterFilter filter;
  filter.code = replay.code;
  filter.state = "open";
  filter.replayable = true;
  int64_t skipped = 0;

  if (!replay.from.empty()) {
    // Every provenance names a stored dead letter before any is replayed.
    std::vector<LetterToReplay> open;
    for (LetterToReplay& l : file) {
      auto found = table->Find(l.key);
      if (!found.ok()) throw CommandExit(kExitFailure, found.status().message());
      if (!*found) {
        throw CommandExit(kExitBadInput, l.where + ": no dead letter of " + Provenance(l.key) +
                                             " in " + table->describe());
      }
      if (!replay.code.empty() && (*found)->code != replay.code) continue;
      if ((*found)->state != "open") {
        ++skipped;
        continue;
      }
      open.push_back(std::move(l));
    }
    ReplayRun run(*store, replay, static_cast<int64_t>(open.size()));
    size_t i = 0;
    while (i < open.size() && !run.stopped()) {
      const std::string stream = open[i].key.stream;
      std::vector<pipeline::ReplayItem> items;
      for (; i < open.size() && open[i].key.stream == stream && items.size() < replay.chunk; ++i) {
        items.push_back({open[i].key.partition, open[i].key.offset, std::move(open[i].payload)});
      }
      run.Replay(stream, items);
    }
    run.Summary(skipped);
    ExitIfStoppedBySignal();
    return;
  }

  auto total = table->Count(filter);
  if (!total.ok()) throw CommandExit(kExitFailure, total.status().message());
  ReplayRun run(*store, replay, *total);
  std::optional<store::DeadLetterKey> after;
  while (!run.stopped()) {
    auto page = table->Page(filter, after ? &*after : nullptr, static_cast<int64_t>(replay.chunk));
    if (!page.ok()) throw CommandExit(kExitFailure, page.status().message());
    if (page->empty()) break;
    // A page in key order holds runs of one stream each.
    std::vector<pipeline::ReplayItem> items;
    for (size_t i = 0; i < page->size(); ++i) {
      sql::StoredDeadLetter& l = (*page)[i];
      items.push_back({l.key.partition, l.key.offset, std::move(l.payload)});
      if (i + 1 == page->size() || (*page)[i + 1].key.stream != l.key.stream) {
        run.Replay(l.key.stream, items);
        items.clear();
      }
    }
    after = page->back().key;
  }
  run.Summary(0);
  ExitIfStoppedBySignal();
}

}  // namespace

void AddReplayCommand(CLI::App* parent, std::shared_ptr<DeadLettersArgs> args) {
  auto replay = std::make_shared<ReplayArgs>();
  auto* cmd = parent->add_subcommand(
      "replay",
      "Run the open dead letters through today's decoder, contract and store. Those that pass\n"
      "are stored exactly once, in one transaction with their rollups, people and the mark\n"
      "`replayed` (an id stored before is not counted again); those that fail keep the new\n"
      "reason and count the try, and after --max-tries tries are quarantined. Safe to stop and\n"
      "rerun at any point. With --from FILE.jsonl (from `deadletters export`, edited) the\n"
      "file's messages are replayed instead, keyed by their provenance: every line must name a\n"
      "stored dead letter, and a letter replayed before is skipped, so the same file twice\n"
      "stores each message once. Dead letters of deleted offsets (bus.retention) have no\n"
      "message and are never replayed. Only the processed store is written, not the raw one");
  cmd->add_option("--code", replay->code, "Only dead letters of this code");
  cmd->add_option("--from", replay->from,
                  "Replay the messages of this JSONL file (export's form), or of a dead-letter\n"
                  "topic kafka://HOST:PORT/TOPIC that process --dead-letters wrote");
  cmd->add_option("--long-text", replay->long_text,
                  "A cleaned department, product or brand over 50 characters: refuse or\n"
                  "truncate (recorded with each letter it lets through)")
      ->capture_default_str()
      ->check(CLI::IsMember({"refuse", "truncate"}));
  cmd->add_option("--max-tries", replay->max_tries,
                  "Quarantine a dead letter once this many replays failed")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000000));
  cmd->add_option("--chunk", replay->chunk, "Dead letters per transaction")
      ->capture_default_str()
      ->check(CLI::Range(size_t{1}, size_t{100000}));
  cmd->add_flag("--dry-run", replay->dry_run,
                "Say what would pass and what would fail, and write nothing");
  cmd->callback([args, replay] { RunReplay(*args, *replay); });
}

}  // namespace shopstream::cli
