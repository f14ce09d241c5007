// shopstream verify: reconciles the bus with the raw and processed stores (src/verify).
#include <iostream>
#include <memory>
#include <set>

#include "cli/cli_util.h"
#include "cli/commands.h"
#include "cli/common_options.h"
#include "cli/reach.h"
#include "verify/verify.h"

namespace shopstream::cli {
namespace {

struct VerifyArgs {
  std::string from;
  std::string raw;
  std::string processed;
  std::vector<int32_t> partitions;
  int64_t since = 0;
  std::string idle_timeout = "60s";
  bool json = false;
  std::string connect_timeout = "10s";
};

void RunVerify(const VerifyArgs& args) {
  verify::VerifyOptions options;
  options.bus = args.from;
  options.raw = args.raw;
  options.processed = args.processed;
  options.partitions = std::set<int32_t>(args.partitions.begin(), args.partitions.end());
  options.since = args.since;
  auto idle = ParseDuration(args.idle_timeout);
  if (!idle.ok())
    ExitBadInput(Status::InvalidArgument("--idle-timeout: " + idle.status().message()));
  options.idle_timeout = *idle;
  options.connect_timeout = ConnectTimeout(args.connect_timeout);
  auto report = verify::Verify(options);
  if (!report.ok()) {
    const Status& s = report.status();
    // A bus that does not exist is bad input: there is nothing to verify, and no wait helps.
    if (s.code() == StatusCode::kNotFound)
      throw CommandExit(kExitBadInput, "--from " + s.message());
    throw CommandExit(ExitCodeFor(s), WithLikelyCause(s.message()));
  }
  std::cout << (args.json ? verify::JsonReport(*report) : verify::SummaryLine(*report)) << '\n';
  std::cout.flush();
  if (!report->ok()) throw CommandExit(kExitFailure, "");
}

}  // namespace

void RegisterVerifyCommand(CLI::App& app) {
  auto args = std::make_shared<VerifyArgs>();
  CLI::App* cmd = app.add_subcommand(
      "verify",
      "Did the pipeline lose or double anything? Reads every message of the bus (or of\n"
      "--partition / --since) and looks each one up: its id must be in the raw store and in\n"
      "the processed store, or the message must be a dead letter (counted by reason; one that\n"
      "`deadletters replay` stored since counts as replayed: in the processed store only).\n"
      "Then it checks that every rollup adds up to the stored rows and that the hourly rollup\n"
      "equals a recount of them, group by group. Prints one line (or a report with --json)\n"
      "and exits 0 only when nothing is missing and the rollups hold; 1 otherwise; 2 for bad\n"
      "input, such as a store without shopstream's tables. It reads with a consumer group of\n"
      "its own and commits nothing. Memory stays bounded: messages are looked up 5,000 at a\n"
      "time and the recount runs in the database. Run it once the processors have caught up.\n"
      "Examples:\n"
      "  shopstream verify --from sqlite:///tmp/demo.db --raw sqlite:///tmp/demo.db \\\n"
      "                    --processed sqlite:///tmp/demo.db\n"
      "  shopstream verify --from kafka://127.0.0.1:9092/ecommercetopic \\\n"
      "                    --raw cassandra://127.0.0.1:9042/ecommerce_ks.operations \\\n"
      "                    --processed mysql://admin@127.0.0.1:3306/ecommerce.operations --json\n"
      "  shopstream verify --from kafka://127.0.0.1:19092,127.0.0.2:19092/events \\\n"
      "                    --raw "
      "cassandra://127.0.0.1:19042,127.0.0.2:19042/ecommerce_ks.operations \\\n"
      "                    --processed 'mysql://admin@127.0.0.1:13306,127.0.0.2:13306/ecommerce' "
      "\\\n"
      "                    --partition 0 --partition 1 --since 100000");
  cmd->add_option("--from", args->from, "Bus URI: sqlite:///PATH or kafka://HOST:PORT/TOPIC")
      ->required();
  cmd->add_option("--raw", args->raw,
                  "Raw store: sqlite:///PATH or cassandra://HOST:PORT/KEYSPACE.TABLE")
      ->required();
  cmd->add_option("--processed", args->processed,
                  "Processed store: sqlite:///PATH, mysql://USER@HOST:PORT/DATABASE.TABLE or\n"
                  "postgres://USER@HOST:PORT/DATABASE.SCHEMA.TABLE")
      ->required();
  cmd->add_option("--partition", args->partitions,
                  "Check only this partition (repeatable; default: every partition)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--since", args->since, "Check messages from this offset on, in each partition")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  cmd->add_option("--idle-timeout", args->idle_timeout,
                  "Fail when the bus delivers nothing and shows no end for this long")
      ->capture_default_str();
  cmd->add_flag("--json", args->json, "Print a JSON report instead of one line");
  AddConnectTimeout(cmd, &args->connect_timeout);
  cmd->callback([args] { RunVerify(*args); });
}

}  // namespace shopstream::cli
