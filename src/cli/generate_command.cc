// `shopstream generate`: synthetic 2019-Nov-shaped CSV of any size, the same bytes for the
// same seed.
#include <unistd.h>

#include "cli/cli_util.h"
#include "cli/commands.h"
#include "common/log.h"
#include "common/progress.h"
#include "csv/byte_sink.h"
#include "generate/generator.h"

namespace shopstream::cli {
namespace {

constexpr char kDescription[] =
    R"(Writes synthetic e-commerce events in the exact format of the Kaggle
"eCommerce behavior data" file 2019-Nov.csv, of any size, the same bytes for the same seed.

The data looks like this (header, then one event per line, in time order over November 2019):
  event_time,event_type,product_id,category_id,category_code,brand,price,user_id,user_session
  2019-11-01 00:00:39 UTC,view,4652246,2115713797300826146,computers.components.hdd,kagriafu,67.14,512000000,5c017cf0-d6fa-4f3b-aec4-63746955b358
  2019-11-01 01:21:09 UTC,cart,48769135,2107099353620176488,electronics.clocks,xiaomi,129.85,512036723,a1c6a55a-31e0-4ef8-834e-8b2fcd490930

As in the real month: 94.15 % views, 4.49 % carts, 1.36 % purchases; 32 % of rows have no
category_code and 14 % no brand (left empty); ~190,000 products, ~4,200 brands and 684
category ids at full size (67.5M rows), fewer for small files; about one user per 18 rows and
one session per 5 rows. A session is a few events of one user; carts are of products viewed in
that session, and purchases follow their cart. Prices have two decimals, from 0.00 to 2574.07.

Output by extension: .csv, .csv.gz (gzip), or `-o -` for standard output. A progress bar is
shown on stderr when it is a terminal.

Examples:
  shopstream generate --rows 100000 -o events.csv
  shopstream generate --rows 67500000 --seed 7 -o 2019-Nov-synthetic.csv.gz
  shopstream generate --rows 20 -o - | column -s, -t)";

}  // namespace

void RegisterGenerateCommand(CLI::App& app) {
  auto* cmd = app.add_subcommand("generate", "Write synthetic 2019-Nov-shaped events (CSV)");
  cmd->footer(kDescription);
  auto options = std::make_shared<generate::GeneratorOptions>();
  auto output = std::make_shared<std::string>();
  cmd->add_option("--rows,-n", options->rows, "Number of events (rows) to write")
      ->required()
      ->check(WholeNumber(0, int64_t{1} << 40));
  cmd->add_option("--seed,-s", options->seed, "Random seed; the same seed gives the same bytes")
      ->capture_default_str();
  cmd->add_option("-o,--output", *output, "Output file (.csv or .csv.gz), or - for stdout")
      ->required();
  cmd->callback([options, output] {
    // Only CSV is written: a name that promises another format is refused, not filled with CSV.
    for (const char* other : {".parquet", ".json", ".jsonl", ".bz2", ".xz", ".zst"}) {
      if (output->ends_with(other)) {
        throw CommandExit(kExitBadInput,
                          "-o '" + *output + "': generate writes CSV only (" +
                              ".csv, .csv.gz, .zip or - for standard output); " +
                              "for Parquet, archive the stream (shopstream archive)");
      }
    }
    auto sink = csv::OpenByteSink(*output);
    if (!sink.ok()) throw CommandExit(kExitBadInput, sink.status().message());
    options->stop = &InstallStopSignals("closing the file after the rows in hand");
    ProgressBar bar(
        "generate", options->rows, ProgressUnit::kCount, "rows",
        ::isatty(STDERR_FILENO) == 1 && (*output != "-" || ::isatty(STDOUT_FILENO) == 0));
    uint64_t written = 0;
    Status s = generate::WriteGeneratedCsv(*options, **sink, [&](uint64_t done) {
      written = done;
      bar.Update(done);
    });
    bar.Finish();
    if (!s.ok()) throw CommandExit(kExitBadInput, s.message());
    if (options->stop->load()) {
      // Stopped by a signal: the file holds whole rows, a valid shorter CSV. Say how many.
      LogInfo("generate: stopped after " + Grouped(static_cast<int64_t>(written)) + " of " +
              Grouped(static_cast<int64_t>(options->rows)) + " rows; " +
              (*output == "-" ? std::string("standard output") : *output) + " holds them");
      ExitIfStoppedBySignal();
    }
  });
}

}  // namespace shopstream::cli
