// `deadletters show`: the dead letters themselves, each with its provenance, reason and message,
// every control character and byte that is not UTF-8 escaped (a message may hold anything).
#include <cstdio>

#include "cli/commands.h"
#include "cli/deadletters/deadletters.h"
#include "common/text.h"

namespace shopstream::cli {
namespace {

struct ShowArgs {
  LetterFilterArgs filter;
  int64_t limit = 20;
};

void RunShow(const DeadLettersArgs& args, const ShowArgs& show) {
  sql::DeadLetterFilter filter = LetterFilterOrExit(show.filter);
  auto table = OpenDeadLettersOrExit(args, LetterAccess::kRead);
  auto letters = table->Page(filter, nullptr, show.limit);
  if (!letters.ok()) throw CommandExit(kExitFailure, letters.status().message());
  for (const sql::StoredDeadLetter& l : *letters) {
    std::printf("%s: %s%s, %s, recorded %s UTC", Provenance(l.key).c_str(),
                EscapeControls(l.code).c_str(),
                l.field.empty() ? "" : (" (" + EscapeControls(l.field) + ")").c_str(),
                EscapeControls(l.state).c_str(), l.recorded_at.c_str());
    if (l.replays > 0) std::printf(", %lld replays", static_cast<long long>(l.replays));
    if (!l.replayed_at.empty()) std::printf(", replayed %s UTC", l.replayed_at.c_str());
    if (!l.policy.empty()) std::printf(" with %s", EscapeControls(l.policy).c_str());
    std::printf("\n  reason:  %s\n  message: %s\n", EscapeControls(l.reason).c_str(),
                EscapeControls(l.payload).c_str());
  }
  if (letters->empty()) std::printf("no dead letters match\n");
}

}  // namespace

void AddShowCommand(CLI::App* parent, std::shared_ptr<DeadLettersArgs> args) {
  auto show = std::make_shared<ShowArgs>();
  auto* cmd = parent->add_subcommand(
      "show",
      "Print dead letters in provenance order (stream, partition, offset): code, field, state,\n"
      "reason and the message, with control characters and bytes that are not UTF-8 written\n"
      "as \\xNN so that no message can steer the terminal");
  AddLetterFilterOptions(cmd, &show->filter);
  cmd->add_option("--limit", show->limit, "At most this many")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{0}, int64_t{1} << 40));
  cmd->callback([args, show] { RunShow(*args, *show); });
}

}  // namespace shopstream::cli
