#include "cli/commands.h"

namespace shopstream::cli {

void RegisterGenerateCommand(CLI::App& app) {
  auto* cmd = app.add_subcommand("generate", "(not built yet)");
  cmd->callback([] { throw CommandExit(kExitFailure, "generate is not built yet"); });
}

}  // namespace shopstream::cli
