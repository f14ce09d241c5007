#include "cli/commands.h"

namespace shopstream::cli {

void RegisterProcessCommand(CLI::App& app) {
  auto* cmd = app.add_subcommand("process", "(not built yet)");
  cmd->callback([] { throw CommandExit(kExitFailure, "process is not built yet"); });
}

}  // namespace shopstream::cli
