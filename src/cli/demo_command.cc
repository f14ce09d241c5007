// shopstream demo: the whole flow on one machine with no servers: generated (or given) data
// replayed into the embedded log, processed into the embedded stores, shown live.
#include <cstdio>
#include <filesystem>
#include <memory>
#include <thread>

#include "cli/cli_util.h"
#include "cli/commands.h"
#include "cli/common_options.h"
#include "cli/demo_data.h"
#include "common/log.h"
#include "endpoints/open_store.h"
#include "pipeline/processor.h"
#include "query/query_store.h"
#include "serve/dashboard_server.h"
#include "sqlite/sqlite_log.h"
#include "sqlite/sqlite_stores.h"

namespace shopstream::cli {
namespace {

// The demo replays its data in a loop for as long as it runs; the log keeps the newest half
// million messages (about 15 minutes at the default rate, some 200 MB), far more than the
// processor ever lags behind, so the log.db file stops growing.
constexpr int64_t kDemoLogRetention = 500000;

struct DemoArgs {
  std::string input;
  std::string rate = "500";
  std::string data_dir = "shopstream-data";
  int64_t rows = 1'000'000;
  uint64_t seed = 42;
  std::string trigger = "1s";
  std::string duration = "0";
  bool once = false;
  std::string listen = "127.0.0.1:8088";
  bool no_dashboard = false;
};

void RunDemo(const DemoArgs& args) {
  namespace fs = std::filesystem;
  // The options' checks passed: these parse.
  auto trigger = ParseDuration(args.trigger);
  auto duration = ParseDuration(args.duration);
  pipeline::ReplayOptions replay;
  replay.loop = !args.once;
  if (Status s = ApplyRate(args.rate, /*seed_allowed=*/true, &replay); !s.ok()) ExitBadInput(s);
  std::error_code ec;
  fs::create_directories(args.data_dir, ec);
  if (ec)
    throw CommandExit(kExitBadInput,
                      "cannot create --data-dir '" + args.data_dir + "': " + ec.message());

  std::string input = args.input;
  if (input.empty()) {
    auto generated = EnsureDemoData(args.data_dir, args.rows, args.seed);
    if (!generated.ok()) throw CommandExit(kExitFailure, generated.status().message());
    input = generated.value();
  }
  auto feed = CsvFeed::Open(input, false);
  if (!feed.ok()) ExitBadInput(feed.status());

  const std::string log_path = (fs::path(args.data_dir) / "log.db").string();
  const std::string store_path = (fs::path(args.data_dir) / "store.db").string();
  auto publisher = sqlite::OpenSqliteLogPublisher(log_path, kDemoLogRetention);
  auto source = sqlite::OpenSqliteLogSource(log_path, false);
  auto raw = sqlite::OpenSqliteRawStore(store_path);
  auto processed = sqlite::OpenSqliteProcessedStore(store_path);
  for (const Status& s : {publisher.status(), source.status(), raw.status(), processed.status()}) {
    if (!s.ok()) throw CommandExit(kExitFailure, s.message());
  }

  pipeline::ProcessorOptions process;
  process.trigger = *trigger;
  // --once without a dashboard: done once the file is played and everything processed.
  const bool finish_after_once = args.once && args.no_dashboard;
  if (finish_after_once) process.idle_exit = std::chrono::seconds(5);

  // The stores' tables exist before the dashboard opens them read-only.
  for (Status s : {(*raw)->Init(), (*processed)->Init()}) {
    if (!s.ok()) throw CommandExit(kExitFailure, s.message());
  }
  std::unique_ptr<query::QueryStore> query_store;
  serve::DashboardServer dashboard;
  if (!args.no_dashboard) {
    auto opened = endpoints::OpenQueryStore("sqlite://" + store_path);
    if (!opened.ok()) throw CommandExit(kExitFailure, opened.status().message());
    query_store = std::move(opened).value();
    if (Status s = dashboard.Start(args.listen, *query_store); !s.ok()) {
      throw CommandExit(kExitBadInput, "--listen " + args.listen + ": " + s.message() +
                                           " (pick another with --listen HOST:PORT)");
    }
  }

  std::atomic<bool>& stop = InstallStopSignals();
  pipeline::Replayer replayer(**feed, **publisher, replay);
  TuneAllocatorForBatches();
  pipeline::Processor processor(**source, **raw, **processed, process);
  LogInfo("demo: " + input + (args.once ? " (once)" : " (in a loop)") + " -> " + log_path + " -> " +
          store_path + " (Ctrl-C stops)");
  if (!args.no_dashboard) {
    std::string host = args.listen.substr(0, args.listen.rfind(':'));
    std::printf("shopstream dashboard: http://%s:%d/\n", host.c_str(), dashboard.port());
    std::fflush(stdout);
  }

  Status produce_result, process_result;
  std::atomic<bool> stop_producer{false};
  std::thread producer([&] {
    produce_result = replayer.Run(stop_producer);
    if (!produce_result.ok()) stop = true;
  });
  std::atomic<bool> consumer_done{false};
  std::thread consumer([&] {
    process_result = processor.Run(stop);
    consumer_done = true;
  });
  {
    StatusPrinter status(std::chrono::seconds(5),
                         [&, line = ProcessorStatusLine(processor.counters())]() mutable {
                           return "produced " + Grouped(replayer.counters().produced) + " (pass " +
                                  Grouped((*feed)->passes()) + " of the file" +
                                  (args.once ? ", once" : "") + ") | " + line();
                         });
    auto started = std::chrono::steady_clock::now();
    while (!stop && !consumer_done) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      if (duration->count() > 0 && std::chrono::steady_clock::now() - started > *duration) {
        stop = true;
      }
    }
    stop_producer = true;
    producer.join();
    consumer.join();
  }
  LogInfo("demo stopped: produced " + Grouped(replayer.counters().produced) + ", processed " +
          Grouped(processor.counters().processed) + ", dead letters " +
          Grouped(processor.counters().dead_letters) + " (" + Grouped((*feed)->passes()) +
          ((*feed)->passes() == 1 ? " pass" : " passes") + " of the file); data kept in " +
          args.data_dir);
  ExitIfStoppedBySignal();
  if (!produce_result.ok())
    throw CommandExit(kExitFailure, "producer: " + produce_result.message());
  if (!process_result.ok())
    throw CommandExit(kExitFailure, "processor: " + process_result.message());
}

}  // namespace

void RegisterDemoCommand(CLI::App& app) {
  auto args = std::make_shared<DemoArgs>();
  auto* cmd = app.add_subcommand(
      "demo",
      "Run the whole flow on this machine with no servers: generate a 2019-Nov-shaped data\n"
      "set (or use --input), replay it into an embedded log, process it into embedded stores\n"
      "(SQLite), serve the live dashboard on http://127.0.0.1:8088/ and print a status line\n"
      "every 5 s. It plays the file in a loop (the status line counts the passes) unless\n"
      "--once. Ctrl-C stops cleanly; a rerun resumes.\n"
      "Example: shopstream demo --rate 2000 --data-dir /tmp/demo");
  cmd->add_option("-i,--input", args->input,
                  "Replay this CSV (.csv, .csv.gz, .zip) instead of generated data\n"
                  "(default: generated, --rows and --seed)");
  cmd->add_option("--rate", args->rate,
                  "Events per second, 'max', or 'seed' (the original's pacing)")
      ->capture_default_str();
  cmd->add_option("--data-dir", args->data_dir, "Where the log, the stores and generated data live")
      ->capture_default_str();
  cmd->add_option("--rows", args->rows, "Rows of generated data")
      ->capture_default_str()
      ->check(WholeNumber(1, 1'000'000'000'000));
  cmd->add_option("--seed", args->seed, "Seed of the generated data")->capture_default_str();
  cmd->add_option("--trigger", args->trigger, "Micro-batch trigger of the processor")
      ->capture_default_str()
      ->check(DurationCheck(/*zero_allowed=*/false));
  cmd->add_option("--duration", args->duration,
                  "Stop after this long (e.g. 90s, 1m30s; 0: run until Ctrl-C)")
      ->capture_default_str()
      ->check(DurationCheck(/*zero_allowed=*/true));
  cmd->add_flag("--once", args->once,
                "Play the file a single time instead of in a loop (with --no-dashboard, exit\n"
                "once everything is processed)");
  cmd->add_option("--listen", args->listen,
                  "Where the dashboard listens (HOST:PORT; port 0 picks one)")
      ->capture_default_str();
  cmd->add_flag("--no-dashboard", args->no_dashboard, "Do not serve the dashboard");
  cmd->callback([args] { RunDemo(*args); });
}

}  // namespace shopstream::cli
