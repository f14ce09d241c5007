// shopstream process: consumes a bus and writes raw and processed stores exactly once.
#include <memory>

#include "bus/open.h"
#include "cli/cli_util.h"
#include "cli/commands.h"
#include "cli/default_group.h"
#include "common/log.h"
#include "common/uri.h"
#include "pipeline/processor.h"
#include "store/open.h"

namespace shopstream::cli {
namespace {

struct ProcessArgs {
  std::string from;
  std::string raw;
  std::string processed;
  std::string trigger = "1s";
  std::string linger = "50ms";
  size_t max_batch = 20000;
  std::string group;  // empty: DefaultGroup
  std::string start = "earliest";
  std::string on_reset = "fail";
  double idle_exit = 0;
  std::string status_every = "5s";
  bool discard = false;
};

int ExitCodeFor(const Status& s) {
  return s.code() == StatusCode::kInvalidArgument ? kExitBadInput : kExitFailure;
}

void RunProcess(const ProcessArgs& args) {
  TuneAllocatorForBatches();
  auto trigger = ParseDuration(args.trigger);
  if (!trigger.ok()) throw CommandExit(kExitBadInput, "--trigger: " + trigger.status().message());
  auto linger = ParseDuration(args.linger);
  if (!linger.ok()) throw CommandExit(kExitBadInput, "--linger: " + linger.status().message());
  auto every = ParseDuration(args.status_every);
  if (!every.ok()) throw CommandExit(kExitBadInput, "--status-every: " + every.status().message());
  if (args.start != "earliest" && args.start != "latest") {
    throw CommandExit(kExitBadInput, "--start must be 'earliest' or 'latest'");
  }
  if (args.on_reset != "fail" && args.on_reset != "earliest") {
    throw CommandExit(kExitBadInput, "--on-reset must be 'fail' or 'earliest'");
  }
  const std::string group =
      args.group.empty() ? DefaultGroup("shopstream", args.processed) : args.group;
  if (args.from.starts_with("kafka:")) {
    LogInfo("consumer group " + group + (args.group.empty() ? " (named after --processed)" : ""));
  }
  auto source = OpenSource(args.from, {.group = group,
                                       .start_latest = args.start == "latest",
                                       .reset_to_earliest = args.on_reset == "earliest"});
  if (!source.ok()) throw CommandExit(ExitCodeFor(source.status()), source.status().message());
  auto raw = OpenRawStore(args.raw);
  if (!raw.ok()) throw CommandExit(ExitCodeFor(raw.status()), raw.status().message());
  auto processed = OpenProcessedStore(args.processed);
  if (!processed.ok())
    throw CommandExit(ExitCodeFor(processed.status()), processed.status().message());

  ProcessorOptions options;
  options.trigger = trigger.value();
  options.linger = linger.value();
  options.max_batch = args.max_batch;
  // For measuring consume + decode + clean alone; offsets are still read, never written.
  options.write_raw = !args.discard;
  options.write_processed = !args.discard;
  options.idle_exit = std::chrono::milliseconds(static_cast<int64_t>(args.idle_exit * 1000));
  Processor processor(**source, **raw, **processed, options);
  std::atomic<bool>& stop = InstallStopSignals();
  LogInfo("processing " + RedactUri(args.from) + " -> raw " + RedactUri(args.raw) + ", processed " +
          RedactUri(args.processed));
  Status result;
  {
    StatusPrinter status(every.value(), ProcessorStatusLine(processor.counters()));
    result = processor.Run(stop);
  }
  const auto& c = processor.counters();
  LogInfo("processed " + Grouped(c.processed) + " events in " + Grouped(c.batches) + " batches; " +
          Grouped(c.dead_letters) + " dead letters");
  if (!result.ok()) throw CommandExit(ExitCodeFor(result), result.ToString());
}

}  // namespace

void RegisterProcessCommand(CLI::App& app) {
  auto args = std::make_shared<ProcessArgs>();
  auto* cmd = app.add_subcommand(
      "process",
      "Consume a bus in micro-batches: store raw events, clean them (department, product,\n"
      "revenue, 'other' for missing values), keep rollups for the dashboard, exactly once.\n"
      "Messages that cannot be decoded go to the dead_letters table with the reason. Examples:\n"
      "  shopstream process --from sqlite:///tmp/log.db --raw sqlite:///tmp/store.db \\\n"
      "                     --processed sqlite:///tmp/store.db\n"
      "  shopstream process --from kafka://127.0.0.1:9092/ecommercetopic --group shopstream \\\n"
      "    --raw cassandra://127.0.0.1:9042/ecommerce_ks.operations \\\n"
      "    --processed mysql://admin@127.0.0.1:3306/ecommerce.operations");
  cmd->add_option("--from", args->from, "Bus URI: sqlite:///PATH or kafka://HOST:PORT/TOPIC")
      ->required();
  cmd->add_option("--raw", args->raw,
                  "Raw store URI: sqlite:///PATH or cassandra://HOST:PORT/KS.TABLE")
      ->required();
  cmd->add_option("--processed", args->processed,
                  "Processed store URI: sqlite:///PATH or mysql://USER@HOST:PORT/DB.TABLE")
      ->required();
  cmd->add_option("--trigger", args->trigger,
                  "Longest time a micro-batch collects messages (15s reproduces the seed)")
      ->capture_default_str();
  cmd->add_option("--linger", args->linger,
                  "A micro-batch also closes once the bus has been quiet this long (caught up);\n"
                  "set it to the trigger to always wait for the trigger, as the seed did")
      ->capture_default_str();
  cmd->add_option("--max-batch", args->max_batch, "Most messages in one micro-batch")
      ->capture_default_str()
      ->check(CLI::Range(size_t{1}, size_t{10'000'000}));
  cmd->add_option("--group", args->group,
                  "Consumer group (Kafka); by default one named after --processed, so that\n"
                  "different stores never split a topic between them");
  cmd->add_option(
         "--start", args->start,
         "Where partitions with no stored offset begin: earliest or latest (the seed used latest)")
      ->capture_default_str();
  cmd->add_option("--on-reset", args->on_reset,
                  "A saved offset beyond a partition's end (the topic deleted and recreated):\n"
                  "fail, or read the partition again from its earliest offset (earliest)")
      ->capture_default_str();
  cmd->add_flag("--discard", args->discard,
                "Decode and clean but write nothing (benchmarks: the rate without the stores)");
  cmd->add_option("--idle-exit", args->idle_exit,
                  "Stop once nothing new arrived for this many seconds (0: never)")
      ->check(FiniteAbove(0, /*inclusive=*/true));
  cmd->add_option("--status-every", args->status_every, "Interval of the status line")
      ->capture_default_str();
  cmd->callback([args] { RunProcess(*args); });
}

}  // namespace shopstream::cli
