// shopstream: real-time e-commerce analytics. One binary, one subcommand per job.
#include <cstdio>
#include <map>

#include "cli/commands.h"
#include "cli/common_options.h"
#include "cli/uri_help.h"
#include "cli/version.h"
#include "common/log.h"
#include "common/text.h"

int main(int argc, char** argv) {
  using namespace shopstream::cli;
  CLI::App app{
      "shopstream: replays e-commerce behaviour events (view, cart, purchase) as a live stream,\n"
      "cleans them, stores raw and cleaned rows exactly once, and shows what sells, live.\n"
      "Start with `shopstream demo`: everything on one machine, no servers.\n"
      "Run `shopstream COMMAND --help` for each command's options, URI schemes and examples.",
      "shopstream"};
  app.require_subcommand(1);
  app.footer(
      "Exit codes: 0 done; 1 a failure (a server, a write); 2 a usage error or bad input;\n"
      "130 stopped by Ctrl-C, 143 by SIGTERM. Durations: 500ms, 2s, 1m30s, 1h (see docs/cli.md).\n"
      "Every command takes -q, -v and --log-format text|json.");
  app.set_version_flag("--version", VersionText());
  RegisterGenerateCommand(app);
  RegisterSampleCommand(app);
  RegisterProduceCommand(app);
  RegisterProcessCommand(app);
  RegisterArchiveCommand(app);
  RegisterServeCommand(app);
  RegisterDemoCommand(app);
  RegisterCqlCommand(app);
  RegisterVerifyCommand(app);
  RegisterStatusCommand(app);
  RegisterDeadLettersCommand(app);
  RegisterCompletionCommand(app);
  // `shopstream --help` lists one line per command; its long description goes below its own
  // options in `shopstream COMMAND --help`.
  const std::map<std::string, std::string> summaries = {
      {"generate", "Write synthetic 2019-Nov-shaped events (CSV)"},
      {"sample", "Stratified sampling of a large CSV (PySpark sampleBy)"},
      {"produce", "Replay a CSV as a live stream of JSON messages onto a bus"},
      {"process", "Consume a bus into raw and processed stores, exactly once"},
      {"archive", "Keep the raw stream as Parquet files by date (local disk or HDFS)"},
      {"serve", "Serve the live dashboard and its JSON API over a processed store"},
      {"demo", "The whole flow on this machine, no servers, with the dashboard"},
      {"cql", "Run one CQL statement on Cassandra and print its rows"},
      {"status", "Show a pipeline's offsets, lag, last commit and dead letters from its store"},
      {"completion", "Print a shell completion script (bash or zsh)"},
      {"verify", "Check that every message of a bus is stored once, or a dead letter"},
      {"deadletters", "List, show, export, replay (exactly once) and purge dead letters"},
  };
  // The URI schemes each command's help lists (cli/uri_help.cc).
  const std::map<std::string, unsigned> uri_roles = {
      {"produce", kBusUri},
      {"process", kBusUri | kRawUri | kProcessedUri},
      {"archive", kBusUri | kArchiveUri},
      {"serve", kProcessedUri},
      {"status", kProcessedUri | kBusUri},
      {"cql", kCqlUri},
      {"verify", kBusUri | kRawUri | kProcessedUri},
      {"deadletters", kProcessedUri},
  };
  std::string known;
  bool is_known = false;
  for (CLI::App* sub : app.get_subcommands([](CLI::App*) { return true; })) {
    known += (known.empty() ? "" : ", ") + sub->get_name();
    is_known = is_known || (argc > 1 && sub->get_name() == argv[1]);
    if (auto it = summaries.find(sub->get_name()); it != summaries.end()) {
      const std::string details = sub->get_description();
      const std::string footer = sub->get_footer();
      if (details != it->second) {
        sub->footer(details + (footer.empty() ? "" : "\n\n" + footer));
        sub->description(it->second);
      }
    }
    if (auto it = uri_roles.find(sub->get_name()); it != uri_roles.end()) {
      sub->footer(sub->get_footer() + "\n\n" + UriHelp(it->second));
    }
    AddLogOptions(sub);
  }
  // CLI11 would say "A subcommand is required" for a mistyped command: name it instead.
  if (argc > 1 && argv[1][0] != '-' && !is_known) {
    std::fprintf(stderr, "shopstream: unknown command '%s' (commands: %s; see shopstream --help)\n",
                 shopstream::EscapeControls(argv[1]).c_str(), known.c_str());
    return kExitBadInput;
  }
  const std::string command = argc > 1 && is_known ? argv[1] : "";
  const std::string prefix = command.empty() ? "shopstream: " : "shopstream " + command + ": ";
  shopstream::SetLogCommand(command);
  if (std::string problem = CheckWords(app, argc, argv); !problem.empty()) {
    std::fprintf(stderr, "%s\n", problem.c_str());
    return kExitBadInput;
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "%s%s (see %s--help)\n", prefix.c_str(), OneLine(e).c_str(),
                 command.empty() ? "shopstream " : ("shopstream " + command + " ").c_str());
    return kExitBadInput;
  } catch (const CommandExit& e) {
    if (*e.what()) {
      std::fprintf(stderr, "%s%s\n", prefix.c_str(), shopstream::EscapeControls(e.what()).c_str());
    }
    return e.code;
  }
  return kExitOk;
}
