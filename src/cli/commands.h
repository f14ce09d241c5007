// Each subcommand registers itself on the root CLI11 app. A command's callback throws
// CommandExit to end the program with a given exit code after printing its message.
#pragma once

#include <CLI/CLI.hpp>
#include <stdexcept>
#include <string>

namespace shopstream::cli {

// Exit codes shared by all commands.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;   // the work failed (a server, a write)
inline constexpr int kExitBadInput = 2;  // usage errors, missing or unreadable input

// Thrown by a command to stop with `code`; main prints `what()` (if any) as one line.
struct CommandExit : std::runtime_error {
  CommandExit(int code, const std::string& message) : std::runtime_error(message), code(code) {}
  int code;
};

void RegisterGenerateCommand(CLI::App& app);
void RegisterSampleCommand(CLI::App& app);
void RegisterProduceCommand(CLI::App& app);
void RegisterProcessCommand(CLI::App& app);
void RegisterDemoCommand(CLI::App& app);
void RegisterServeCommand(CLI::App& app);
void RegisterCqlCommand(CLI::App& app);
void RegisterArchiveCommand(CLI::App& app);
void RegisterStatusCommand(CLI::App& app);
void RegisterCompletionCommand(CLI::App& app);
void RegisterVerifyCommand(CLI::App& app);
void RegisterDeadLettersCommand(CLI::App& app);

}  // namespace shopstream::cli
