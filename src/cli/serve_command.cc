// `shopstream serve`: the live dashboard and its JSON API over a processed store.
#include <csignal>
#include <cstdio>
#include <string>

#include "cli/commands.h"
#include "cli/common_options.h"
#include "cli/reach.h"
#include "common/log.h"
#include "common/uri.h"
#include "endpoints/open_store.h"
#include "query/caching_query_store.h"
#include "query/query_store.h"
#include "serve/dashboard_server.h"

namespace shopstream::cli {

void RegisterServeCommand(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "serve",
      "Serve the live dashboard, a JSON API (/api/...), /metrics and /healthz over a processed\n"
      "store that `shopstream process` writes. Reads only the rollup tables. Stops on Ctrl-C\n"
      "(exit 130) or SIGTERM (exit 143). Examples:\n"
      "  shopstream serve --store sqlite:///tmp/store.db\n"
      "  shopstream serve --store mysql://admin@127.0.0.1:3306/ecommerce.operations \\\n"
      "                   --listen 0.0.0.0:8088\n"
      "  shopstream serve --store "
      "postgres://shopstream@127.0.0.1:5432/ecommerce.public.operations");
  auto store = std::make_shared<std::string>();
  auto listen = std::make_shared<std::string>("127.0.0.1:8088");
  auto no_cache = std::make_shared<bool>(false);
  auto connect_timeout = std::make_shared<std::string>("10s");
  cmd->add_option("--store", *store,
                  "Processed store to read: sqlite:///PATH, mysql://USER@HOST:PORT/DATABASE.TABLE\n"
                  "or postgres://USER@HOST:PORT/DATABASE.SCHEMA.TABLE")
      ->required();
  AddConnectTimeout(cmd, connect_timeout.get());
  cmd->add_option("--listen", *listen,
                  "HOST:PORT to listen on (0.0.0.0:PORT exposes the dashboard to the network,\n"
                  "with no authentication)")
      ->capture_default_str();
  cmd->add_flag("--no-cache", *no_cache,
                "Compute every answer from the rollups (by default an answer is reused until the\n"
                "next commit changes the store)");
  cmd->callback([store, listen, no_cache, connect_timeout] {
    auto query_store = endpoints::OpenQueryStore(*store);
    if (!query_store.ok()) {
      const Status& s = query_store.status();
      bool bad_input =
          s.code() == StatusCode::kInvalidArgument || s.code() == StatusCode::kNotFound;
      throw CommandExit(bad_input ? kExitBadInput : kExitFailure, s.message());
    }
    std::unique_ptr<query::QueryStore> reader = std::move(query_store).value();
    // Fail fast on a server that does not answer or refuses the login; a store whose tables
    // are not there yet is served (the pages say so) until `process` creates them.
    ReachOrExit("--store " + RedactUri(*store), ConnectTimeout(*connect_timeout), [&] {
      Status s = reader->ChangeStamp().status();
      const bool login = s.message().find("ccess denied") != std::string::npos ||
                         s.message().find("password") != std::string::npos;
      return s.retryable() || login ? s : Status::Ok();
    });
    if (!*no_cache) reader = query::WithAnswerCache(std::move(reader));
    // Block the stop signals before the server's threads start, so that they inherit the
    // mask and only this thread receives them, in sigwait() below.
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

    serve::DashboardServer server;
    if (auto s = server.Start(*listen, *reader); !s.ok()) {
      throw CommandExit(kExitBadInput, s.message());
    }
    std::string host = listen->substr(0, listen->rfind(':'));
    std::printf("shopstream dashboard on http://%s:%d/ (Ctrl-C to stop)\n", host.c_str(),
                server.port());
    std::fflush(stdout);
    int signal_number = 0;
    sigwait(&stop_signals, &signal_number);
    LogInfo(signal_number == SIGINT ? "stopping the dashboard (Ctrl-C)"
                                    : "stopping the dashboard (SIGTERM)");
    server.Stop();
    throw CommandExit(128 + signal_number, "");
  });
}

}  // namespace shopstream::cli
