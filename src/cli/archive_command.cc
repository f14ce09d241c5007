// shopstream archive: keeps the raw stream as Parquet files partitioned by date, exactly once.
#include <memory>

#include "archive/archiver.h"
#include "archive/destination.h"
#include "cli/cli_util.h"
#include "cli/commands.h"
#include "cli/common_options.h"
#include "cli/default_group.h"
#include "cli/reach.h"
#include "common/log.h"
#include "common/uri.h"
#include "endpoints/open_bus.h"
#include "endpoints/open_destination.h"
#ifdef SHOPSTREAM_WITH_PARQUET
#include "archive/parquet_loader.h"
#endif

namespace shopstream::cli {
namespace {

struct ArchiveArgs : ConsumerOptions {
  std::string from;
  std::string to;
  std::string group;  // empty: DefaultGroup
  std::string start = "earliest";
  int64_t roll_rows = 500'000;
  std::string roll_after = "5m";
  int64_t row_group_rows = 128 * 1024;
  std::string compression = "zstd";
  size_t max_batch = 20'000;
  std::string idle_exit = "0";
};

#ifndef SHOPSTREAM_WITH_PARQUET
void RunArchive(const ArchiveArgs&) {
  throw CommandExit(kExitFailure,
                    "this shopstream was built without Apache Arrow, so it cannot write Parquet: "
                    "run scripts/install-deps, then build again");
}
#else
// "archived 1,234 | dead letters 0 | files 4, 1.2 MB | open 5,678 | lag 12 | 2,345 ev/s"
class ArchiveStatusLine {
 public:
  explicit ArchiveStatusLine(const archive::ArchiverCounters& c) : c_(c) {}
  std::string operator()() {
    const auto now = std::chrono::steady_clock::now();
    const int64_t consumed = c_.consumed;
    const double seconds = std::chrono::duration<double>(now - last_time_).count();
    const double rate = seconds > 0 ? (consumed - last_consumed_) / seconds : 0;
    last_consumed_ = consumed;
    last_time_ = now;
    const int64_t lag = c_.lag;
    char mb[32];
    std::snprintf(mb, sizeof mb, "%.1f MB", static_cast<double>(c_.bytes) / 1e6);
    return "archived " + Grouped(c_.archived) + " | dead letters " + Grouped(c_.dead_letters) +
           " | files " + Grouped(c_.files) + ", " + mb + " | open " + Grouped(c_.open_rows) +
           " | lag " + (lag < 0 ? std::string("?") : Grouped(lag)) + " | " +
           Grouped(static_cast<int64_t>(rate)) + " ev/s read";
  }

 private:
  const archive::ArchiverCounters& c_;
  int64_t last_consumed_ = 0;
  std::chrono::steady_clock::time_point last_time_ = std::chrono::steady_clock::now();
};

void RunArchive(const ArchiveArgs& args) {
  // The options' checks passed: these parse.
  auto roll_after = ParseDuration(args.roll_after);
  auto every = ParseDuration(args.status_every);
  auto idle_exit = ParseDuration(args.idle_exit);
  const auto connect_timeout = ConnectTimeout(args.connect_timeout);
  if (args.roll_rows < 1) throw CommandExit(kExitBadInput, "--roll-rows must be at least 1");
  if (args.max_batch < 1) throw CommandExit(kExitBadInput, "--max-batch must be at least 1");
  if (args.start != "earliest" && args.start != "latest") {
    throw CommandExit(kExitBadInput, "--start must be 'earliest' or 'latest'");
  }
  auto format = archive::LoadParquetFormat(
      {.compression = args.compression, .row_group_rows = args.row_group_rows});
  if (!format.ok() && format.status().code() != StatusCode::kInvalidArgument)
    throw CommandExit(kExitFailure, format.status().message());
  if (!format.ok())
    throw CommandExit(kExitBadInput,
                      "--compression/--row-group-rows: " + format.status().message());
  auto destination = endpoints::OpenDestination(args.to);
  if (!destination.ok()) {
    throw CommandExit(ExitCodeFor(destination.status()), "--to: " + destination.status().message());
  }
  // Fail fast: the destination answers before anything is read.
  ReachOrExit("--to " + RedactUri(args.to), connect_timeout,
              [&] { return (*destination)->List("").status(); });
  const std::string group =
      ConsumerGroup(args.group, "shopstream-archive", args.to, "--to", args.from);
  auto source = OpenSourceOrExit(args.from, {.group = group,
                                             .start_latest = args.start == "latest",
                                             .require_topic = !args.wait_for_topic,
                                             .connect_timeout = connect_timeout});

  archive::ArchiverOptions options;
  options.roll_rows = args.roll_rows;
  options.roll_after = *roll_after;
  options.max_batch = args.max_batch;
  options.idle_exit = *idle_exit;
  archive::Archiver archiver(*source, **destination, **format, options);
  std::atomic<bool>& stop = InstallStopSignals();
  LogInfo("archiving " + args.from + " -> " + args.to + " (files roll at " +
          Grouped(args.roll_rows) + " messages or after " + args.roll_after + ")");
  Status result;
  {
    StatusPrinter status(*every, ArchiveStatusLine(archiver.counters()));
    result = archiver.Run(stop);
  }
  const auto& c = archiver.counters();
  Log(LogLevel::kInfo,
      "archived " + Grouped(c.archived) + " events and " + Grouped(c.dead_letters) +
          " dead letters in " + Grouped(c.files) + " files (" + Grouped(c.bytes) + " bytes)",
      {{"archived", c.archived},
       {"dead_letters", c.dead_letters},
       {"files", c.files},
       {"bytes", c.bytes}});
  ExitIfStoppedBySignal();
  if (!result.ok()) throw CommandExit(ExitCodeFor(result), result.ToString());
}
#endif  // SHOPSTREAM_WITH_PARQUET

}  // namespace

void RegisterArchiveCommand(CLI::App& app) {
  auto args = std::make_shared<ArchiveArgs>();
  auto* cmd = app.add_subcommand(
      "archive",
      "Keep the raw stream as Parquet files partitioned by event date, exactly once, on local\n"
      "disk or HDFS (WebHDFS), for Spark, DuckDB, pandas (docs/archive.md):\n"
      "  DEST/event_date=2019-11-08/part-0000-000000000000-000000009999-1of1.parquet\n"
      "Messages that cannot be archived go to DEST/_dead_letters/ with the reason. A consumer of\n"
      "its own (named after --to): run it beside `process`. It resumes from the file\n"
      "names, so a crash or kill -9 loses and duplicates nothing. Examples:\n"
      "  shopstream archive --from kafka://127.0.0.1:9092/ecommercetopic \\\n"
      "                     --to file:///srv/archive/ecommerce\n"
      "  shopstream archive --from kafka://127.0.0.1:9092/ecommercetopic \\\n"
      "                     --to hdfs://127.0.0.1:9870/shopstream/ecommerce\n"
      "  (webhdfs://HOST:PORT/PATH is the same as hdfs://; PORT is the NameNode's HTTP port)\n"
      "  shopstream archive --from sqlite:///tmp/log.db --to file:///tmp/archive --idle-exit 5\n"
      "  duckdb -c \"SELECT event_type, count(*) FROM \\\n"
      "    read_parquet('/srv/archive/ecommerce/event_date=*/*.parquet') GROUP BY 1\"");
  cmd->add_option("--from", args->from, "Bus URI: sqlite:///PATH or kafka://HOST:PORT/TOPIC")
      ->required();
  cmd->add_option("--to", args->to,
                  "Destination: file:///DIR, or hdfs://[USER@]HOST:PORT/PATH (also webhdfs://)\n"
                  "where PORT is the NameNode's HTTP (WebHDFS) port, 9870 by default, not its\n"
                  "RPC port 8020")
      ->required();
  cmd->add_option("--roll-rows", args->roll_rows,
                  "Commit a partition's open files once they hold this many messages")
      ->capture_default_str()
      ->check(WholeNumber(1, int64_t{1} << 40));
  cmd->add_option("--roll-after", args->roll_after,
                  "... or once their first message was read this long ago (5m, 30s, 1m30s)")
      ->capture_default_str()
      ->check(DurationCheck(/*zero_allowed=*/false));
  cmd->add_option("--row-group-rows", args->row_group_rows, "Rows per Parquet row group")
      ->capture_default_str()
      ->check(WholeNumber(1, int64_t{1} << 40));
  cmd->add_option("--compression", args->compression, "zstd, snappy or none")
      ->capture_default_str();
  cmd->add_option("--group", args->group,
                  "Consumer group (Kafka); by default one named after --to, so that two\n"
                  "archives never split a topic between them");
  cmd->add_option("--start", args->start,
                  "Where partitions with nothing archived begin: earliest or latest")
      ->capture_default_str();
  cmd->add_option("--max-batch", args->max_batch, "Most messages read at once")
      ->capture_default_str()
      ->check(WholeNumber(1, 10'000'000));
  cmd->add_option("--idle-exit", args->idle_exit,
                  "Commit and stop once nothing new arrived for this long (e.g. 30s; 0: never)")
      ->capture_default_str()
      ->check(DurationCheck(/*zero_allowed=*/true));
  AddConsumerOptions(cmd, args.get());
  cmd->callback([args] { RunArchive(*args); });
}

}  // namespace shopstream::cli
