#include "cli/common_options.h"

#include <algorithm>
#include <cctype>
#include <vector>

#include "cli/cli_util.h"
#include "common/log.h"
#include "common/text.h"

namespace shopstream::cli {
namespace {

// Edit distance, for "did you mean".
size_t Distance(const std::string& a, const std::string& b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] != b[j - 1])});
      diagonal = up;
    }
  }
  return row[b.size()];
}

// Every long name ("--from") and short name ("-i") of `cmd` and its parents' options.
std::vector<std::string> OptionNames(const CLI::App& cmd) {
  std::vector<std::string> names;
  for (const CLI::Option* o : cmd.get_options()) {
    for (const std::string& l : o->get_lnames()) names.push_back("--" + l);
    for (const std::string& s : o->get_snames()) names.push_back("-" + s);
  }
  // A command with subcommands of its own (deadletters list, ...): theirs count too.
  for (const CLI::App* sub : cmd.get_subcommands([](const CLI::App*) { return true; })) {
    for (std::string& name : OptionNames(*sub)) names.push_back(std::move(name));
  }
  return names;
}

}  // namespace

void AddLogOptions(CLI::App* cmd) {
  cmd->add_flag_callback(
      "-q,--quiet", [] { SetLogLevel(LogLevel::kWarn); }, "Log warnings and errors only");
  cmd->add_flag_callback(
      "-v,--verbose", [] { SetLogLevel(LogLevel::kDebug); }, "Log debug messages too");
  cmd->add_option_function<std::string>(
         "--log-format",
         [](const std::string& f) {
           SetLogFormat(f == "json" ? LogFormat::kJson : LogFormat::kText);
         },
         "text (time stamp, level, message) or json (one object per line: time, level, "
         "command, message)")
      ->check(CLI::IsMember({"text", "json"}))
      ->default_str("text");
}

void AddConsumerOptions(CLI::App* cmd, ConsumerOptions* options) {
  cmd->add_option("--status-every", options->status_every,
                  "Interval of the status line (0: no status line)")
      ->capture_default_str()
      ->check(DurationCheck(/*zero_allowed=*/true));
  AddConnectTimeout(cmd, &options->connect_timeout);
  cmd->add_flag("--wait-for-topic", options->wait_for_topic,
                "Kafka: wait for a topic that does not exist yet (and for the brokers) instead\n"
                "of failing at start");
}

CLI::Option* AddConnectTimeout(CLI::App* cmd, std::string* value) {
  return cmd
      ->add_option("--connect-timeout", *value,
                   "How long a server may take to answer at start (e.g. 500ms, 5s, 1m); past it\n"
                   "the command fails (exit 1). Later outages are waited out")
      ->check(DurationCheck(/*zero_allowed=*/false))
      ->capture_default_str();
}

std::chrono::milliseconds ConnectTimeout(const std::string& value) {
  auto parsed = ParseDuration(value);
  return parsed.ok() ? *parsed : std::chrono::milliseconds(10000);
}

std::string CheckWords(CLI::App& app, int argc, char** argv) {
  if (argc < 2) return "";
  CLI::App* cmd = nullptr;
  try {
    cmd = app.get_subcommand(argv[1]);
  } catch (const CLI::OptionNotFound&) {
    return "";
  }
  const std::string prefix = "shopstream " + std::string(argv[1]) + ": ";
  const std::vector<std::string> names = OptionNames(*cmd);
  for (int i = 2; i < argc; ++i) {
    const std::string word = argv[i];
    if (word == "--") break;
    if (word.size() > 2 && word[0] == '-' && word[1] != '-' && word[2] == '=') {
      return prefix + "'" + EscapeControls(word) + "': a short option takes its value after a " +
             "space (" + word.substr(0, 2) + " " + EscapeControls(word.substr(3)) + ")";
    }
    const std::string name = word.substr(0, word.find('='));
    // An option's name, not a value that happens to start with dashes (a CQL comment).
    const bool is_name = name.size() > 2 && name.starts_with("--") &&
                         std::all_of(name.begin() + 2, name.end(), [](char c) {
                           return std::isalnum(static_cast<unsigned char>(c)) || c == '-';
                         });
    if (!is_name) continue;
    if (std::find(names.begin(), names.end(), name) != names.end()) continue;
    if (name == "--help" || name == "--version") continue;
    std::string best;
    size_t best_distance = 3;  // at most two edits away
    for (const std::string& candidate : names) {
      if (!candidate.starts_with("--")) continue;
      const size_t d = Distance(name, candidate);
      if (d < best_distance) best_distance = d, best = candidate;
    }
    return prefix + "unknown option '" + EscapeControls(name) + "'" +
           (best.empty() ? "" : " (did you mean " + best + "?)") + "; see shopstream " + argv[1] +
           " --help";
  }
  return "";
}

std::string OneLine(const CLI::ParseError& e) {
  std::string text = e.what();
  std::replace(text.begin(), text.end(), '\n', ' ');
  while (!text.empty() && text.back() == ' ') text.pop_back();
  return EscapeControls(text);
}

}  // namespace shopstream::cli
