// Shared by the store benchmarks: the first N events of a CSV in the 2019-Nov format, each
// with a fresh time-based id as `shopstream produce` gives it, and the timing around a store.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdio>
#include <iostream>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "common/cpu_time.h"
#include "common/status.h"
#include "common/uri.h"
#include "event/event.h"

namespace shopstream::bench {

// Reads up to `count` events from `csv_path` (.csv, .gz or .zip); fewer when the file is short.
Result<std::vector<Event>> LoadEvents(const std::string& csv_path, size_t count);

// Escapes a value for a tab-separated line as LOAD DATA reads it by default (and the Python
// reference too): backslash, tab, newline and carriage return get a backslash.
void AppendTsvField(std::string* line, std::string_view value);

// The store benchmarks' command line: --csv FILE --count N --to URI <out_flag> FILE
// [--batch N]. False on anything else or anything missing.
struct StoreBenchArgs {
  std::string csv, to, out;
  size_t count = 0;
  size_t batch = 20000;  // the processor's default --max-batch
};
bool ParseStoreBenchArgs(int argc, char** argv, const std::string& out_flag, StoreBenchArgs* args);

// Opens the store that `uri_text` names with `open` (a connector's Open...Store) and creates its
// tables. On failure prints why and returns null with *exit_code set: 2 for a bad URI or store,
// 3 when Init may succeed later, 1 otherwise.
template <typename Open>
auto OpenInitializedStore(const std::string& uri_text, Open open, int* exit_code)
    -> std::decay_t<decltype(*open(std::declval<const Uri&>()))> {
  auto uri = ParseUri(uri_text);
  if (!uri.ok()) {
    std::cerr << uri.status().ToString() << "\n";
    *exit_code = 2;
    return nullptr;
  }
  auto store = open(*uri);
  if (!store.ok()) {
    std::cerr << store.status().ToString() << "\n";
    *exit_code = 2;
    return nullptr;
  }
  if (Status s = (*store)->Init(); !s.ok()) {
    std::cerr << "init: " << s.ToString() << "\n";
    *exit_code = s.retryable() ? 3 : 1;
    return nullptr;
  }
  return std::move(store).value();
}

// Calls write(batch) for every batch, timed, and prints "rows= seconds= rows_per_s=
// cpu_seconds=" for the harness. Returns the exit code: 0, 3 when a write failed and may be
// retried, 1 otherwise.
template <typename Batch, typename Write>
int TimeWrites(const std::vector<Batch>& batches, size_t rows, const char* what, Write write) {
  const double cpu0 = ProcessCpuSeconds();
  const auto t0 = std::chrono::steady_clock::now();
  for (const Batch& b : batches) {
    if (Status s = write(b); !s.ok()) {
      std::cerr << what << ": " << s.ToString() << "\n";
      return s.retryable() ? 3 : 1;
    }
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("rows=%zu seconds=%.3f rows_per_s=%.0f cpu_seconds=%.3f\n", rows, seconds,
              static_cast<double>(rows) / seconds, ProcessCpuSeconds() - cpu0);
  return 0;
}

}  // namespace shopstream::bench
