// shopstream produce: replays a CSV as a live stream of the seed's JSON messages.
#include <limits>
#include <memory>

#include "cli/cli_util.h"
#include "cli/commands.h"
#include "cli/common_options.h"
#include "cli/reach.h"
#include "common/log.h"
#include "common/uri.h"
#include "endpoints/open_bus.h"

namespace shopstream::cli {
namespace {

struct ProduceArgs {
  std::string input;
  std::string to;
  std::string rate = "seed";
  double speedup = 0;
  std::string max_gap = "60s";
  std::string connect_timeout = "10s";
  int64_t count = -1;
  bool loop = false;
  uint64_t seed = 0;
  bool strict = false;
  int partitions = 1;
};

pipeline::ReplayOptions ToReplayOptions(const ProduceArgs& a) {
  pipeline::ReplayOptions o;
  o.count = a.count;
  o.loop = a.loop;
  o.seed = a.seed;
  if (a.speedup > 0) {
    o.pacing = pipeline::ReplayOptions::Pacing::kSpeedup;
    o.speedup = a.speedup;
    o.max_gap_seconds = static_cast<double>(ParseDuration(a.max_gap)->count()) / 1000;
  } else if (!a.rate.empty()) {
    if (Status s = ApplyRate(a.rate, /*seed_allowed=*/true, &o); !s.ok()) ExitBadInput(s);
  }
  return o;
}

void RunProduce(const ProduceArgs& args) {
  pipeline::ReplayOptions options = ToReplayOptions(args);
  auto feed = CsvFeed::Open(args.input, args.strict);
  if (!feed.ok()) ExitBadInput(feed.status());
  auto publisher = endpoints::OpenPublisher(
      args.to,
      {.partitions = args.partitions, .connect_timeout = ConnectTimeout(args.connect_timeout)});
  if (!publisher.ok()) {
    throw CommandExit(
        publisher.status().code() == StatusCode::kInvalidArgument ? kExitBadInput : kExitFailure,
        WithLikelyCause(publisher.status().message()));
  }
  std::atomic<bool>& stop = InstallStopSignals();
  pipeline::Replayer replayer(**feed, **publisher, options);
  LogInfo("producing from " + args.input + " to " + RedactUri(args.to));
  Status result;
  {
    StatusPrinter status(std::chrono::seconds(5),
                         [&] { return "produced " + Grouped(replayer.counters().produced); });
    result = replayer.Run(stop);
  }
  const auto& reader = (*feed)->reader();
  const int64_t produced = replayer.counters().produced;
  const auto skipped = static_cast<int64_t>(reader.lines_skipped());
  const int64_t delivery_errors = (*publisher)->delivery_errors();
  Log(LogLevel::kInfo,
      "produced " + Grouped(produced) + " events; " + Grouped(skipped) +
          " malformed lines skipped; " + Grouped(delivery_errors) + " delivery errors",
      {{"produced", produced}, {"malformed_lines", skipped}, {"delivery_errors", delivery_errors}});
  ExitIfStoppedBySignal();
  if (!result.ok()) {
    throw CommandExit(result.code() == StatusCode::kCorruption ? kExitBadInput : kExitFailure,
                      result.message());
  }
  if ((*publisher)->delivery_errors() > 0)
    throw CommandExit(kExitFailure, "some events were not delivered");
}

}  // namespace

void RegisterProduceCommand(CLI::App& app) {
  auto args = std::make_shared<ProduceArgs>();
  auto* cmd = app.add_subcommand(
      "produce",
      "Replay a CSV of the 2019-Nov data set as a live stream of JSON messages.\n"
      "By default it paces like the original producer: 1 to 10 random rows every 1 to 3 s,\n"
      "each with event_time = now and a fresh UUID id. Examples:\n"
      "  shopstream produce -i data.csv --to sqlite:///tmp/log.db --rate max\n"
      "  shopstream produce -i 2019-Nov.csv.gz --to kafka://127.0.0.1:9092/ecommercetopic --rate "
      "500\n"
      "  shopstream produce -i data.csv --to sqlite:///tmp/log.db --speedup 60   (1 h of data per "
      "minute)");
  cmd->add_option("-i,--input", args->input,
                  "CSV file (.csv, .csv.gz or .zip) with the 2019-Nov columns")
      ->required();
  cmd->add_option("--to", args->to,
                  "Bus URI: sqlite:///PATH (embedded log) or kafka://HOST:PORT/TOPIC")
      ->required();
  auto* rate =
      cmd->add_option(
             "--rate", args->rate,
             "Events per second in file order, 'max' (event_time = now), or 'seed' (the original\n"
             "producer's pacing)")
          ->capture_default_str();
  cmd->add_option("--speedup", args->speedup,
                  "Replay in file order at X times the original pace, keeping original timestamps\n"
                  "(default: none, --rate paces)")
      ->excludes(rate)
      ->check(FiniteAbove(0));
  cmd->add_option("--max-gap", args->max_gap,
                  "With --speedup: a jump forward in event time that would mean waiting longer\n"
                  "than this (e.g. 30s, 2m) is not waited for (the replay clock moves on)")
      ->capture_default_str()
      ->check(DurationCheck(/*zero_allowed=*/false));
  cmd->add_option("--count", args->count,
                  "Stop after N events (default: the whole file; seed pacing: forever)")
      ->check(WholeNumber(1, std::numeric_limits<int64_t>::max()));
  cmd->add_flag("--loop", args->loop, "Start the file over when it ends");
  cmd->add_option("--seed", args->seed, "Random seed for the default pacing (0: random)")
      ->capture_default_str();
  cmd->add_flag("--strict", args->strict,
                "Stop at the first malformed CSV line instead of skipping it");
  cmd->add_option("--partitions", args->partitions,
                  "Partitions of a Kafka topic that has to be created")
      ->default_val(1)
      ->check(WholeNumber(1, 100000));
  AddConnectTimeout(cmd, &args->connect_timeout);
  cmd->callback([args] { RunProduce(*args); });
}

}  // namespace shopstream::cli
