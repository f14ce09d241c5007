// `deadletters purge --before T [--code C] [--yes]`: deletes old dead letters, after a yes.
#include <unistd.h>

#include <cstdio>
#include <iostream>

#include "cli/cli_util.h"
#include "cli/commands.h"
#include "cli/deadletters/deadletters.h"

namespace shopstream::cli {
namespace {

struct PurgeArgs {
  std::string before, code;
  bool yes = false;
};

void RunPurge(const DeadLettersArgs& args, const PurgeArgs& purge) {
  CheckCodeOrExit(purge.code);
  sql::DeadLetterFilter filter;
  filter.code = purge.code;
  filter.before = StoreTimeOrExit("--before", purge.before);
  auto table = OpenDeadLettersOrExit(args, LetterAccess::kWrite);
  auto count = table->Count(filter);
  if (!count.ok()) throw CommandExit(kExitFailure, count.status().message());
  const std::string what = Grouped(*count) + " dead letters recorded before " + filter.before +
                           " UTC" + (purge.code.empty() ? "" : " with code " + purge.code);
  if (*count == 0) {
    std::printf("nothing to purge: no dead letters recorded before %s UTC%s\n",
                filter.before.c_str(),
                purge.code.empty() ? "" : (" with code " + purge.code).c_str());
    return;
  }
  if (!purge.yes) {
    if (!isatty(STDIN_FILENO)) {
      throw CommandExit(kExitBadInput, "purge would delete " + what +
                                           "; add --yes to confirm when not at a terminal");
    }
    std::fprintf(stderr, "delete %s? [y/N] ", what.c_str());
    std::string answer;
    std::getline(std::cin, answer);
    if (answer != "y" && answer != "yes") {
      std::printf("nothing purged\n");
      return;
    }
  }
  auto deleted = table->Delete(filter);
  if (!deleted.ok()) throw CommandExit(kExitFailure, deleted.status().message());
  std::printf("purged %s dead letters\n", Grouped(*deleted).c_str());
}

}  // namespace

void AddPurgeCommand(CLI::App* parent, std::shared_ptr<DeadLettersArgs> args) {
  auto purge = std::make_shared<PurgeArgs>();
  auto* cmd = parent->add_subcommand(
      "purge",
      "Delete the dead letters recorded before a time (of one code with --code). Asks first\n"
      "at a terminal; elsewhere needs --yes");
  cmd->add_option("--before", purge->before, "UTC time YYYY-MM-DD[ HH:MM:SS]")->required();
  cmd->add_option("--code", purge->code, "Only this code");
  cmd->add_flag("--yes", purge->yes, "Do not ask");
  cmd->callback([args, purge] { RunPurge(*args, *purge); });
}

}  // namespace shopstream::cli
