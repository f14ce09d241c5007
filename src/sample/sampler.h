// Stratified Bernoulli sampling of a large CSV with the semantics of PySpark's
// DataFrame.sampleBy: each row is kept independently with the fraction of its stratum (the
// value of one column); rows of strata without a fraction are dropped. The header and the
// kept records are copied byte for byte, in file order.
//
// A plain .csv file is mapped and cut into slices that every core samples at once (see
// sample_slice.h); a .gz or .zip is read and decompressed by one thread while another draws
// and writes. Either way each record's draw is keyed by its byte offset in the CSV data, so
// a seed gives the same rows from the same CSV whether it is plain, gzipped or zipped.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"

namespace shopstream::sample {

struct SampleOptions {
  std::string input;                        // .csv, .csv.gz or one-file .zip
  std::string output;                       // .csv, .csv.gz, .zip, or "-" for standard output
  std::string column;                       // the stratum column, by header name
  std::optional<double> fraction;           // one fraction for every stratum, or
  std::map<std::string, double> fractions;  // a fraction per listed stratum
  uint64_t seed = 1;
  // Plain files of at least this size are sampled in slices of `slice_bytes` by `threads`
  // threads (0: one per core); smaller ones take the streaming path. Tests tune these.
  uint64_t slice_min_file_bytes = 16 << 20;
  uint64_t slice_bytes = 8 << 20;
  unsigned threads = 0;
  // When set and true, the sampling stops at the next batch or slice it would read: what was
  // kept so far is written (whole records, in file order), the output closed, and the stats
  // say `stopped`.
  const std::atomic<bool>* stop = nullptr;
};

struct SampleStats {
  uint64_t rows_read = 0;
  uint64_t rows_kept = 0;
  uint64_t lines_skipped = 0;  // malformed, reported as warnings
  std::map<std::string, uint64_t> kept_by_stratum;
  std::map<std::string, uint64_t> read_by_stratum;
  bool stopped = false;  // by options.stop, before the end of the input
};

// "view=0.1,cart=0.5": each fraction in [0, 1]; the stratum is what precedes the last '='.
Result<std::map<std::string, double>> ParseFractions(std::string_view text);

// Runs the sampling. `progress(done, total)` is called from the calling thread with the
// input bytes done. The record that starts at byte offset o of the CSV data is kept iff
// KeyedUniform(seed, o) (random.h) is below its stratum's fraction, so a seed fixes the
// output.
// Errors: NotFound / IoError naming the file, InvalidArgument for an unknown column.
Result<SampleStats> RunSample(const SampleOptions& options,
                              const std::function<void(uint64_t, uint64_t)>& progress = {});

}  // namespace shopstream::sample
