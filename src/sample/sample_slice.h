// Sampling one slice of a CSV held in memory (a mapped file), so that threads can take
// slices in any order. Every record is drawn with KeyedUniform(seed, its byte offset), so
// the kept rows do not depend on how the file was cut, nor on the thread count, and equal
// what the streaming path keeps from the same bytes read out of a .gz or .zip.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "sample/sample_strata.h"
#include "sample/sampler.h"

namespace shopstream::sample {

struct SliceLayout {
  std::string_view data;  // the whole file
  std::string name;       // for messages
  size_t fields = 0;      // columns per record, from the header
  size_t column = 0;      // the stratum column
};

struct SliceResult {
  uint64_t first = 0;                 // where the slice's records were taken to start
  uint64_t next = 0;                  // the first record boundary at or after the slice's end
  std::string kept;                   // the kept records' bytes, in file order
  std::vector<std::string> warnings;  // malformed records, one message each
  uint64_t malformed = 0;
  StratumCounter counts;
  explicit SliceResult(const SampleOptions* options) : counts(options) {}
};

// Where a slice that begins at `begin` presumably has its first record: at `begin` if a line
// starts there, else after the next line end. Presumably, because a quoted field may hold
// line ends; the caller checks it against the previous slice's `next`.
uint64_t FirstLineStart(std::string_view data, uint64_t begin);

// Samples the records that start in [first, end), reading past `end` to finish the last.
// `first` must be a record boundary. Lines without quotes take a fast path; from the first
// line with a quote on, the slice is parsed by csv::CsvRecordReader, with the same rules.
SliceResult SampleSlice(const SliceLayout& layout, const SampleOptions& options, uint64_t first,
                        uint64_t end);

}  // namespace shopstream::sample

namespace shopstream::csv {
class ByteSink;
}  // namespace shopstream::csv

namespace shopstream::sample {

// Samples a whole file held in memory: `threads` threads take slices of `slice_bytes` in
// turn while this thread checks each slice's start against the previous slice's end (and
// redoes a slice that a quoted line end misled), writes the kept records in file order after
// `header_raw`, and reports progress. At most a few slices per thread are held at once.
Result<SampleStats> SampleSlices(const SliceLayout& layout, uint64_t data_start,
                                 std::string_view header_raw, const SampleOptions& options,
                                 csv::ByteSink* sink,
                                 const std::function<void(uint64_t, uint64_t)>& progress);

}  // namespace shopstream::sample
