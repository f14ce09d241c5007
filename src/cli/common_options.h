// What every command shares on its command line: log control (-q, -v, --log-format), the
// connect timeout of commands that reach servers, and the one-line form of usage errors.
#pragma once

#include <CLI/CLI.hpp>
#include <chrono>
#include <string>

namespace shopstream::cli {

// -q (warnings and errors only), -v (debug messages too), --log-format text|json. Applied
// while the command line is parsed, before the command runs.
void AddLogOptions(CLI::App* cmd);

// --connect-timeout DURATION (default 10s) into `*value`: how long an endpoint may take to
// answer at start before the command fails (exit 1).
CLI::Option* AddConnectTimeout(CLI::App* cmd, std::string* value);
// REQUIRES: `value` passed AddConnectTimeout's check.
std::chrono::milliseconds ConnectTimeout(const std::string& value);

// What a consumer of a bus (process, archive) takes beside its own options: --status-every
// DURATION, --connect-timeout and --wait-for-topic.
struct ConsumerOptions {
  std::string status_every = "5s";
  std::string connect_timeout = "10s";
  bool wait_for_topic = false;
};
void AddConsumerOptions(CLI::App* cmd, ConsumerOptions* options);

// Checks the words CLI11 reads wrongly without a word, before it parses them: "-o=-" (CLI11
// takes "=-" as the value) and, for the command named by argv[1], options it does not have
// ("--form", which CLI11 would report as a missing --from). Returns the one-line message, or
// "" when there is nothing to say.
std::string CheckWords(CLI::App& app, int argc, char** argv);

// CLI11's error as one line "shopstream CMD: ..." (no "Run with --help" line).
std::string OneLine(const CLI::ParseError& e);

}  // namespace shopstream::cli
