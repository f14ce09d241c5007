#include <filesystem>

#include "cli/cli_util.h"
#include "cli/commands.h"
#include "cli/common_options.h"
#include "cli/deadletters/deadletters.h"
#include "cli/reach.h"
#include "common/log.h"
#include "common/text.h"
#include "common/uri.h"
#include "endpoints/open_store.h"
#include "event/contract.h"

namespace shopstream::cli {

std::unique_ptr<sql::DeadLetterTable> OpenDeadLettersOrExit(
    const DeadLettersArgs& args, LetterAccess access,
    std::unique_ptr<store::ProcessedStore>* processed) {
  if (args.store.empty()) {
    throw CommandExit(kExitBadInput,
                      "--store URI is required (the processed store: sqlite:///PATH, "
                      "mysql://..., postgres://...)");
  }
  // Usage errors (exit 2) before the store is reached: the scheme, the URI, a missing file.
  if (Status s = CheckScheme(args.store, {"sqlite", "mysql", "postgres"}); !s.ok()) {
    ExitBadInput(s);
  }
  auto uri = ParseUri(args.store);
  if (!uri.ok()) ExitBadInput(uri.status());
  if (uri->scheme == "sqlite" && !std::filesystem::exists(uri->path)) {
    ExitBadInput(Status::NotFound("--store " + uri->text + ": " + uri->path + " does not exist"));
  }
  const std::string what = "--store " + RedactUri(args.store);
  const auto timeout = ConnectTimeout(args.connect_timeout);
  const bool writing = access == LetterAccess::kWrite;
  auto open_table = [&](bool writable) {
    std::unique_ptr<sql::DeadLetterTable> table;
    ReachOrExit(what, timeout, [&] {
      auto opened = endpoints::OpenDeadLetterTable(args.store, writable);
      if (opened.status().code() == StatusCode::kNotFound) ExitBadInput(opened.status());
      if (opened.ok()) table = std::move(opened).value();
      return opened.status();
    });
    return table;
  };
  std::unique_ptr<sql::DeadLetterTable> table = open_table(writing);
  if (!writing && !table->needs_upgrade()) return table;
  // The processed store's start adds the dead letters' newer columns to an older store.
  if (!writing) LogInfo(what + ": adding the dead letter codes to an older store, in place");
  auto store = endpoints::OpenProcessedStore(args.store);
  if (!store.ok()) throw CommandExit(ExitCodeFor(store.status()), store.status().message());
  ReachOrExit(what, timeout, [&] { return (*store)->Init(); });
  if (!writing) return open_table(false);
  if (processed) *processed = std::move(store).value();
  return table;
}

void CheckCodeOrExit(const std::string& code) {
  if (code.empty() || IsReasonCode(code)) return;
  std::string known;
  for (std::string_view c : ReasonCodes()) known += (known.empty() ? "" : ", ") + std::string(c);
  throw CommandExit(kExitBadInput, "--code " + QuoteValue(code) + " is not a dead letter code (" +
                                       known + "; see docs/event-contract.md)");
}

void AddLetterFilterOptions(CLI::App* cmd, LetterFilterArgs* filter) {
  cmd->add_option("--code", filter->code, "Only this code (see `deadletters list`)");
  cmd->add_option("--since", filter->since, "Only those recorded at or after this UTC time");
  cmd->add_option("--state", filter->state, "Only this state: open, replayed or quarantined")
      ->check(CLI::IsMember({"open", "replayed", "quarantined"}));
}

sql::DeadLetterFilter LetterFilterOrExit(const LetterFilterArgs& args) {
  CheckCodeOrExit(args.code);
  sql::DeadLetterFilter filter;
  filter.code = args.code;
  filter.state = args.state;
  if (!args.since.empty()) filter.since = StoreTimeOrExit("--since", args.since);
  return filter;
}

std::string StoreTimeOrExit(const std::string& option, const std::string& text) {
  const std::string full = text.size() == 10 ? text + " 00:00:00" : text;
  auto parsed = ParseEventTime(full);
  if (!parsed.ok()) {
    throw CommandExit(kExitBadInput,
                      option + " " + QuoteValue(text) + " is not a UTC time YYYY-MM-DD[ HH:MM:SS]");
  }
  return FormatDateTime(*parsed);
}

std::string Provenance(const store::DeadLetterKey& key) {
  return "stream " + EscapeControls(key.stream) + " partition " + std::to_string(key.partition) +
         " offset " + std::to_string(key.offset);
}

void RegisterDeadLettersCommand(CLI::App& app) {
  auto args = std::make_shared<DeadLettersArgs>();
  auto* cmd = app.add_subcommand(
      "deadletters",
      "Work with the dead letters of a processed store: the messages `process` could not turn\n"
      "into rows, each kept with its provenance (stream, partition, offset), its reason and a\n"
      "short code (docs/event-contract.md lists them). List them by code, read them, export\n"
      "them to edit, replay them through today's contract and store (each stored exactly\n"
      "once), and purge old ones. --store may come before or after the subcommand. Examples:\n"
      "  shopstream deadletters --store sqlite:///tmp/store.db list\n"
      "  shopstream deadletters show --store sqlite:///tmp/store.db --code event_time.calendar\n"
      "  shopstream deadletters export --store sqlite:///tmp/store.db --to dead.jsonl\n"
      "  shopstream deadletters replay --store sqlite:///tmp/store.db --from dead.jsonl\n"
      "  shopstream deadletters replay --store sqlite:///tmp/store.db --long-text truncate\n"
      "  shopstream deadletters purge --store sqlite:///tmp/store.db --before 2026-01-01 --yes\n"
      "See docs/dead-letters.md for a worked example of each.");
  cmd->require_subcommand(1);
  cmd->fallthrough();
  cmd->add_option("--store", args->store,
                  "The processed store (sqlite:///PATH[?table=T], mysql://..., postgres://...)");
  AddConnectTimeout(cmd, &args->connect_timeout);
  AddListCommand(cmd, args);
  AddShowCommand(cmd, args);
  AddExportCommand(cmd, args);
  AddReplayCommand(cmd, args);
  AddPurgeCommand(cmd, args);
}

}  // namespace shopstream::cli
