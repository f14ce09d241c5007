// shopstream: real-time e-commerce analytics. One binary, one subcommand per job.
#include <csignal>
#include <cstdio>

#include "cli/commands.h"
#include "common/text.h"

int main(int argc, char** argv) {
  using namespace shopstream::cli;
  CLI::App app{
      "shopstream: replays e-commerce behaviour events (view, cart, purchase) as a live stream,\n"
      "cleans them, stores raw and cleaned rows exactly once, and shows what sells, live.\n\n"
      "Start with `shopstream demo`: everything on one machine, no servers.\n"
      "Endpoints are URIs: sqlite:///path.db (embedded), kafka://host:port/topic,\n"
      "cassandra://host:port/keyspace.table, mysql://user@host:port/database.table,\n"
      "and archives file:///dir or hdfs://host:port/path.\n"
      "Run `shopstream COMMAND --help` for the options of each command.",
      "shopstream"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "shopstream 0.1.0");
  RegisterGenerateCommand(app);
  RegisterSampleCommand(app);
  RegisterProduceCommand(app);
  RegisterProcessCommand(app);
  RegisterArchiveCommand(app);
  RegisterServeCommand(app);
  RegisterDemoCommand(app);
  RegisterCqlCommand(app);
  RegisterVerifyCommand(app);
  // CLI11 would say "A subcommand is required" for a mistyped command: name it instead.
  std::string known;
  bool is_known = false;
  for (const CLI::App* sub : app.get_subcommands([](CLI::App*) { return true; })) {
    known += (known.empty() ? "" : ", ") + sub->get_name();
    is_known = is_known || (argc > 1 && sub->get_name() == argv[1]);
  }
  if (argc > 1 && argv[1][0] != '-' && !is_known) {
    std::fprintf(stderr, "shopstream: unknown command '%s' (commands: %s; see shopstream --help)\n",
                 shopstream::EscapeControls(argv[1]).c_str(), known.c_str());
    return kExitBadInput;
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? kExitOk : kExitBadInput;
  } catch (const CommandExit& e) {
    if (*e.what()) std::fprintf(stderr, "shopstream: %s\n", e.what());
    return e.code;
  }
  return kExitOk;
}
