// Stratified Bernoulli sampling of a large CSV with the semantics of PySpark's
// DataFrame.sampleBy: each row is kept independently with the fraction of its stratum (the
// value of one column); rows of strata without a fraction are dropped. The header and the
// kept records are copied byte for byte. One thread reads and decompresses, another draws
// and writes (and compresses).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"

namespace shopstream::source {

struct SampleOptions {
  std::string input;                        // .csv, .csv.gz or one-file .zip
  std::string output;                       // .csv, .csv.gz, .zip, or "-" for standard output
  std::string column;                       // the stratum column, by header name
  std::optional<double> fraction;           // one fraction for every stratum, or
  std::map<std::string, double> fractions;  // a fraction per listed stratum
  uint64_t seed = 1;
};

struct SampleStats {
  uint64_t rows_read = 0;
  uint64_t rows_kept = 0;
  uint64_t lines_skipped = 0;  // malformed, reported as warnings
  std::map<std::string, uint64_t> kept_by_stratum;
  std::map<std::string, uint64_t> read_by_stratum;
};

// "view=0.1,cart=0.5": each fraction in [0, 1]; the stratum is what precedes the last '='.
Result<std::map<std::string, double>> ParseFractions(std::string_view text);

// Runs the sampling. `progress(done, total)` is called from the reading thread with the
// input bytes consumed. Row i (in file order) is kept iff the i-th draw of a generator
// seeded with `seed` is below its stratum's fraction, so a seed fixes the output.
// Errors: NotFound / IoError naming the file, InvalidArgument for an unknown column.
Result<SampleStats> RunSample(const SampleOptions& options,
                              const std::function<void(uint64_t, uint64_t)>& progress = {});

}  // namespace shopstream::source
