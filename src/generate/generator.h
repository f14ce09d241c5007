// Deterministic synthetic data in the exact format of the Kaggle 2019-Nov.csv: a month of
// shopping sessions in which users view products, put some in the cart and buy some of
// those. Rows come out in time order, a chunk at a time, in bounded memory for any size.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"
#include "csv/byte_sink.h"

namespace shopstream::generate {

struct GeneratorOptions {
  uint64_t rows = 1000;
  uint64_t seed = 1;
  // When set and true, WriteGeneratedCsv stops after the chunk it is writing (whole rows) and
  // closes the sink: a Ctrl-C leaves a valid, shorter CSV.
  const std::atomic<bool>* stop = nullptr;
};

class Generator {
 public:
  explicit Generator(const GeneratorOptions& options);
  ~Generator();

  // The header line, newline included.
  static std::string_view Header();

  // Appends up to `max_rows` rows (each ending in '\n') to `*out` and returns how many;
  // 0 once all rows have been produced.
  size_t Generate(size_t max_rows, std::string* out);
  // The fast form: fills `buffer` with whole rows, sets `*bytes` to the bytes written and
  // returns the rows written (0 at the end). `capacity` should be at least 64 KiB.
  size_t Generate(char* buffer, size_t capacity, size_t* bytes);

  uint64_t rows_done() const;
  uint64_t rows_total() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

// Writes the header and all rows to `sink` (then closes it), calling `progress` with the
// rows written so far every few thousand rows.
Status WriteGeneratedCsv(const GeneratorOptions& options, csv::ByteSink& sink,
                         const std::function<void(uint64_t)>& progress = {});

}  // namespace shopstream::generate
