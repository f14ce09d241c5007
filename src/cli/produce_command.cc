#include "cli/commands.h"

namespace shopstream::cli {

void RegisterProduceCommand(CLI::App& app) {
  auto* cmd = app.add_subcommand("produce", "(not built yet)");
  cmd->callback([] { throw CommandExit(kExitFailure, "produce is not built yet"); });
}

}  // namespace shopstream::cli
