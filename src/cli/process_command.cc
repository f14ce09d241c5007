// shopstream process: consumes a bus and writes raw and processed stores exactly once.
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>

#include "alert/alert_rules.h"
#include "alert/webhook.h"
#include "cli/cli_util.h"
#include "cli/commands.h"
#include "cli/common_options.h"
#include "cli/deadletters/deadletters.h"
#include "cli/default_group.h"
#include "cli/reach.h"
#include "common/log.h"
#include "common/uri.h"
#include "endpoints/open_bus.h"
#include "endpoints/open_store.h"
#include "pipeline/processor.h"

namespace shopstream::cli {
namespace {

struct ProcessArgs : ConsumerOptions {
  std::string from;
  std::string raw;
  std::string processed;
  std::string trigger = "1s";
  std::string linger = "50ms";
  size_t max_batch = 20000;
  std::string group;  // empty: DefaultGroup
  std::string start = "earliest";
  std::string on_reset = "fail";
  std::string idle_exit = "0";
  bool discard = false;
  std::string long_text = "refuse";
  std::string dead_letters;  // kafka://... dead-letter topic, or none
  std::string alerts;        // a rules file, "default", or none
};

// --alerts: the built-in rules or a file's; a file that cannot be read or parsed is bad input.
std::vector<alert::Rule> AlertRulesOrExit(const std::string& source) {
  if (source == "default") return alert::ParseRules(alert::DefaultRulesText(), "default").value();
  std::ifstream in(source, std::ios::binary);
  std::stringstream text;
  if (!in || !(text << in.rdbuf())) {
    throw CommandExit(kExitBadInput, "--alerts: cannot read the rules file " + source);
  }
  auto rules = alert::ParseRules(text.str(), source);
  if (!rules.ok()) throw CommandExit(kExitBadInput, rules.status().message());
  return std::move(rules).value();
}

void RunProcess(const ProcessArgs& args) {
  TuneAllocatorForBatches();
  // A bad rules file stops before anything is opened.
  std::vector<alert::Rule> rules;
  if (!args.alerts.empty()) rules = AlertRulesOrExit(args.alerts);
  alert::WebhookConfig webhook_config;
  if (!args.alerts.empty()) {
    auto config = alert::WebhookConfigFromEnvironment();
    if (!config.ok()) throw CommandExit(kExitBadInput, config.status().message());
    webhook_config = std::move(config).value();
  }
  // The options' checks passed: these parse.
  auto trigger = ParseDuration(args.trigger);
  auto linger = ParseDuration(args.linger);
  auto every = ParseDuration(args.status_every);
  auto idle_exit = ParseDuration(args.idle_exit);
  const auto connect_timeout = ConnectTimeout(args.connect_timeout);
  if (args.start != "earliest" && args.start != "latest") {
    throw CommandExit(kExitBadInput, "--start must be 'earliest' or 'latest'");
  }
  if (args.on_reset != "fail" && args.on_reset != "earliest") {
    throw CommandExit(kExitBadInput, "--on-reset must be 'fail' or 'earliest'");
  }
  const std::string group =
      ConsumerGroup(args.group, "shopstream", args.processed, "--processed", args.from);
  auto source = OpenSourceOrExit(args.from, {.group = group,
                                             .start_latest = args.start == "latest",
                                             .require_topic = !args.wait_for_topic,
                                             .connect_timeout = connect_timeout,
                                             .reset_to_earliest = args.on_reset == "earliest"});
  auto raw = endpoints::OpenRawStore(args.raw);
  if (!raw.ok()) throw CommandExit(ExitCodeFor(raw.status()), raw.status().message());
  auto processed = endpoints::OpenProcessedStore(args.processed);
  if (!processed.ok())
    throw CommandExit(ExitCodeFor(processed.status()), processed.status().message());
  // Fail fast: both stores answer (and have their tables) before the pipeline starts.
  ReachOrExit("the raw store " + RedactUri(args.raw), connect_timeout,
              [&] { return (*raw)->Init(); });
  ReachOrExit("the processed store " + RedactUri(args.processed), connect_timeout,
              [&] { return (*processed)->Init(); });

  std::optional<pipeline::AlertStage> alerts;
  std::unique_ptr<alert::Webhook> webhook;  // outlives the processor: flushed after its last batch
  if (!args.alerts.empty()) {
    alerts.emplace(**processed, std::move(rules));
    if (!webhook_config.url.empty()) {
      webhook = std::make_unique<alert::Webhook>(webhook_config);
      alerts->OnChange(
          [&](const store::AlertRecord& r) { webhook->Offer(pipeline::AlertChangeJson(r)); });
    }
    // A stalled commit thread cannot record its own stall: the watch opens a store of its own.
    alerts->WatchStalls([uri = args.processed] { return endpoints::OpenProcessedStore(uri); });
  }
  pipeline::ProcessorOptions options;
  options.alerts = alerts ? &*alerts : nullptr;
  options.trigger = *trigger;
  options.linger = *linger;
  options.max_batch = args.max_batch;
  // For measuring consume + decode + clean alone; offsets are still read, never written.
  options.write_raw = !args.discard;
  options.write_processed = !args.discard;
  options.idle_exit = idle_exit.value();
  options.long_text = args.long_text == "truncate" ? LongText::kTruncate : LongText::kRefuse;
  // Declared before the processor, so that it outlives it and flushes after its last batch.
  std::unique_ptr<pipeline::DeadLetterSink> dead_letter_topic;
  if (!args.dead_letters.empty()) {
    dead_letter_topic = OpenDeadLetterTopicOrExit(args.dead_letters, connect_timeout);
    options.dead_letter_sink = dead_letter_topic.get();
  }
  pipeline::Processor processor(*source, **raw, **processed, options);
  std::atomic<bool>& stop = InstallStopSignals();
  LogInfo("processing " + RedactUri(args.from) + " -> raw " + RedactUri(args.raw) + ", processed " +
          RedactUri(args.processed));
  Status result;
  {
    StatusPrinter status(*every, ProcessorStatusLine(processor.counters()));
    result = processor.Run(stop);
  }
  if (alerts) alerts->Stop();  // its watch hands changes to the webhook, which goes first
  const auto& c = processor.counters();
  Log(LogLevel::kInfo,
      "processed " + Grouped(c.processed) + " events in " + Grouped(c.batches) + " batches; " +
          Grouped(c.dead_letters) + " dead letters",
      {{"processed", c.processed}, {"batches", c.batches}, {"dead_letters", c.dead_letters}});
  ExitIfStoppedBySignal();
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
  cmd->add_option("--from", args->from,
                  "Bus URI: sqlite:///PATH or kafka://HOST:PORT/TOPIC (see URIs below)")
      ->required();
  cmd->add_option("--raw", args->raw,
                  "Raw store URI: sqlite:///PATH or cassandra://HOST:PORT/KEYSPACE.TABLE")
      ->required();
  cmd->add_option("--processed", args->processed,
                  "Processed store URI: sqlite:///PATH, mysql://USER@HOST:PORT/DATABASE.TABLE or\n"
                  "postgres://USER@HOST:PORT/DATABASE.SCHEMA.TABLE")
      ->required();
  cmd->add_option("--trigger", args->trigger,
                  "Longest time a micro-batch collects messages (15s reproduces the seed)")
      ->capture_default_str()
      ->check(DurationCheck(/*zero_allowed=*/false));
  cmd->add_option("--linger", args->linger,
                  "A micro-batch also closes once the bus has been quiet this long (caught up),\n"
                  "or once it is this old and the previous batch has committed; set it to the\n"
                  "trigger to always wait for the trigger, as the seed did")
      ->capture_default_str()
      ->check(DurationCheck(/*zero_allowed=*/true));
  cmd->add_option("--max-batch", args->max_batch, "Most messages in one micro-batch")
      ->capture_default_str()
      ->check(WholeNumber(1, 10'000'000));
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
                  "Stop once nothing new arrived for this long (e.g. 30s; 0: never)")
      ->capture_default_str()
      ->check(DurationCheck(/*zero_allowed=*/true));
  cmd->add_option("--long-text", args->long_text,
                  "A department, product or brand longer than its column's 50 characters after\n"
                  "cleaning: refuse it (a dead letter, code text.too_long) or truncate it to\n"
                  "its first 50 characters")
      ->capture_default_str()
      ->check(CLI::IsMember({"refuse", "truncate"}));
  cmd->add_option(
      "--dead-letters", args->dead_letters,
      "Also publish each dead letter, once its batch committed, to this Kafka topic\n"
      "(kafka://HOST:PORT/TOPIC): the original message as the value, headers\n"
      "shopstream.errors.{topic,partition,offset,code,field,reason}. Never holds the\n"
      "stream up: while the topic is away they are dropped from the topic (counted,\n"
      "logged), never from the store's dead_letters. By default dead letters go to the\n"
      "store only");
  cmd->add_option("--alerts", args->alerts,
                  "Evaluate alert rules in stream time after each batch and keep each alert's\n"
                  "fired and resolved changes in the store's alerts table: a rules file (format\n"
                  "in docs/alerts.md; a bad line is reported as FILE:LINE, exit 2) or 'default'\n"
                  "(purchases dropping 40 % against the trailing hour, no events for a minute,\n"
                  "dead letters above 5 %, no commit for 2 minutes while a batch waits).\n"
                  "By default no alerts");
  AddConsumerOptions(cmd, args.get());
  cmd->callback([args] { RunProcess(*args); });
}

}  // namespace shopstream::cli
