// `deadletters list`: how many dead letters by code, field, stream and state, each group with its
// first and last offset and time.
#include <cstdio>

#include "cli/cli_util.h"
#include "cli/commands.h"
#include "cli/deadletters/deadletters.h"
#include "common/text.h"

namespace shopstream::cli {
namespace {

void RunList(const DeadLettersArgs& args) {
  auto table = OpenDeadLettersOrExit(args, LetterAccess::kRead);
  auto groups = table->Groups();
  if (!groups.ok()) throw CommandExit(kExitFailure, groups.status().message());
  if (groups->empty()) {
    std::printf("no dead letters\n");
    return;
  }
  int64_t total = 0;
  std::printf("%-20s %-14s %-20s %-11s %9s %12s %12s  %-19s  %-19s\n", "code", "field", "stream",
              "state", "count", "first offset", "last offset", "first recorded (UTC)",
              "last recorded (UTC)");
  for (const sql::DeadLetterGroup& g : *groups) {
    total += g.count;
    std::printf(
        "%-20s %-14s %-20s %-11s %9s %12s %12s  %-19s  %-19s\n", EscapeControls(g.code).c_str(),
        g.field.empty() ? "-" : EscapeControls(g.field).c_str(), EscapeControls(g.stream).c_str(),
        EscapeControls(g.state).c_str(), Grouped(g.count).c_str(), Grouped(g.first_offset).c_str(),
        Grouped(g.last_offset).c_str(), g.first_time.c_str(), g.last_time.c_str());
  }
  std::printf("%s dead letters\n", Grouped(total).c_str());
}

}  // namespace

void AddListCommand(CLI::App* parent, std::shared_ptr<DeadLettersArgs> args) {
  auto* cmd = parent->add_subcommand(
      "list",
      "Count the dead letters by code, field, stream and state (open, replayed, quarantined),\n"
      "with each group's first and last offset and time");
  cmd->callback([args] { RunList(*args); });
}

}  // namespace shopstream::cli
