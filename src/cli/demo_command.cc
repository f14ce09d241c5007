#include "cli/commands.h"

namespace shopstream::cli {

void RegisterDemoCommand(CLI::App& app) {
  auto* cmd = app.add_subcommand("demo", "(not built yet)");
  cmd->callback([] { throw CommandExit(kExitFailure, "demo is not built yet"); });
}

}  // namespace shopstream::cli
