// `shopstream sample`: stratified sampling of a large CSV, as PySpark's sampleBy does it.
#include <unistd.h>

#include <cinttypes>
#include <cstdio>

#include "cli/cli_util.h"
#include "cli/commands.h"
#include "common/log.h"
#include "common/progress.h"
#include "sample/sampler.h"

namespace shopstream::cli {
namespace {

constexpr char kDescription[] =
    R"(Keeps a random share of the rows of a large CSV, per stratum: each row is kept
independently with the fraction of its stratum (its value in the --by column), as PySpark's
DataFrame.sampleBy(col, fractions, seed) does. Rows of strata without a fraction are
dropped. The header and the kept rows are copied byte for byte, in file order.

Input: .csv, .csv.gz or a .zip holding one CSV. Output by extension: .csv, .csv.gz, .zip,
or `-o -` for standard output. The same seed and CSV give the same output, whether the CSV
is plain, gzipped or zipped (each row's draw is keyed by its byte offset). A plain .csv is
mapped and sampled in slices by every core; a compressed one is decompressed by one thread
while another samples and writes. A progress bar is shown on stderr when it is a terminal,
and a summary line at the end.

Examples:
  # 1 % of everything
  shopstream sample -i 2019-Nov.csv.gz --by event_type --fraction 0.01 -o sample.csv
  # all purchases, a tenth of the carts, 1 % of the views
  shopstream sample -i 2019-Nov.csv --by event_type \
      --fractions purchase=1,cart=0.1,view=0.01 --seed 7 -o sample.zip)";

}  // namespace

void RegisterSampleCommand(CLI::App& app) {
  auto* cmd = app.add_subcommand("sample", "Stratified sampling of a large CSV (PySpark sampleBy)");
  cmd->footer(kDescription);
  auto options = std::make_shared<sample::SampleOptions>();
  auto fraction = std::make_shared<double>(-1);
  auto fractions = std::make_shared<std::string>();
  cmd->add_option("-i,--input", options->input, "Input file (.csv, .csv.gz, .zip)")->required();
  cmd->add_option("--by", options->column, "The stratum column, by header name (event_type)")
      ->required();
  auto* one = cmd->add_option("--fraction", *fraction,
                              "One fraction (0..1) for every stratum\n"
                              "(this or --fractions is required)")
                  ->check(CLI::Range(0.0, 1.0));
  auto* many = cmd->add_option("--fractions", *fractions,
                               "A fraction per stratum: view=0.01,cart=0.1,purchase=1\n"
                               "(this or --fraction is required)");
  one->excludes(many);
  cmd->add_option("--seed,-s", options->seed, "Random seed; the same seed gives the same rows")
      ->capture_default_str();
  cmd->add_option("-o,--output", options->output,
                  "Output file (.csv, .csv.gz, .zip), or - for stdout")
      ->required();
  cmd->callback([=] {
    if (one->count() == 0 && many->count() == 0) {
      throw CommandExit(kExitBadInput, "sample: give --fraction F or --fractions a=F1,b=F2");
    }
    if (one->count() > 0) {
      options->fraction = *fraction;
    } else {
      auto parsed = sample::ParseFractions(*fractions);
      if (!parsed.ok()) throw CommandExit(kExitBadInput, "sample: " + parsed.status().message());
      options->fractions = std::move(parsed).value();
    }
    bool show =
        ::isatty(STDERR_FILENO) == 1 && (options->output != "-" || !::isatty(STDOUT_FILENO));
    ProgressBar bar("sample", 0, ProgressUnit::kBytes, "", show);
    options->stop = &InstallStopSignals("writing out the rows kept so far");
    auto stats = sample::RunSample(*options, [&bar](uint64_t done, uint64_t total) {
      bar.set_total(total);
      bar.Update(done);
    });
    bar.Finish();
    if (!stats.ok()) {
      int code = stats.status().code() == StatusCode::kIoError &&
                         stats.status().message().starts_with(options->output)
                     ? kExitFailure
                     : kExitBadInput;
      throw CommandExit(code, stats.status().message());
    }
    // Stopped by a signal: the output holds the rows kept of those read, whole and in order.
    std::string summary = "sample: kept " + std::to_string(stats->rows_kept) + " of " +
                          std::to_string(stats->rows_read) + " rows";
    std::string detail;
    for (const auto& [stratum, read] : stats->read_by_stratum) {
      if (stats->read_by_stratum.size() > 12) break;
      detail += (detail.empty() ? "" : ", ") + stratum + " " +
                std::to_string(stats->kept_by_stratum[stratum]) + "/" + std::to_string(read);
    }
    if (!detail.empty()) summary += " (" + detail + ")";
    if (stats->lines_skipped > 0) {
      summary += "; skipped " + std::to_string(stats->lines_skipped) + " malformed lines";
    }
    if (stats->stopped) summary += "; stopped by a signal before the end of the input";
    LogInfo(summary);
    ExitIfStoppedBySignal();
  });
}

}  // namespace shopstream::cli
