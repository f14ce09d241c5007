// Small pieces shared by the subcommands: stop signals, durations, status lines, CSV feeds.
#pragma once

#include <CLI/CLI.hpp>
#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <thread>

#include "common/status.h"
#include "csv/csv_event_reader.h"
#include "pipeline/processor.h"
#include "pipeline/replay.h"

namespace shopstream::cli {

// The first SIGINT or SIGTERM sets the returned flag (a clean stop) and says on stderr what the
// command does before it stops (`doing`); a second one exits at once with 128 + its number.
std::atomic<bool>& InstallStopSignals(std::string_view doing = "finishing the current batch");
// After a stop by a signal: throws CommandExit with 130 (SIGINT) or 143 (SIGTERM), the shell's
// codes for a command a signal ended; commands call it once they said what they did.
void ExitIfStoppedBySignal();
// The signal that asked for the stop (SIGINT, SIGTERM), or 0.
int StopSignal();

// A duration: terms of a number and a unit (ms, s, m or min, h), largest first, as in 500ms,
// 2s, 1m30s, 1h; or a bare number of seconds. From 0 to 30 days.
Result<std::chrono::milliseconds> ParseDuration(const std::string& text);

// CLI11 check of a duration option (ParseDuration); `zero_allowed` false refuses 0.
CLI::Validator DurationCheck(bool zero_allowed);

// CLI11 check of an integer option: the whole text a number from `min` to `max` (CLI11's own
// conversion says "not in range" for "1x").
CLI::Validator WholeNumber(int64_t min, int64_t max);

// CLI11 checks for numbers (CLI11's own ranges let "nan" through): a finite number above
// `min` (or at least `min` when `inclusive`).
CLI::Validator FiniteAbove(double min, bool inclusive = false);

// --rate: a positive finite number of events per second, "max", or (when `seed_allowed`)
// "seed", the original producer's pacing. Sets the pacing of `options`.
Status ApplyRate(const std::string& text, bool seed_allowed, pipeline::ReplayOptions* options);

// 1234567 -> "1,234,567"
std::string Grouped(int64_t n);

// For the processor's commands: glibc serves large blocks (a micro-batch's 1 MB payload blocks,
// its vectors of 20,000 events and rows) from mmap and unmaps them when freed, and trims its
// heap sooner, so that the resident size follows the batches in flight rather than the most
// the process ever held.
void TuneAllocatorForBatches();

// Logs `line()` (info) every `interval` from a background thread until destroyed; never for an
// interval of 0.
class StatusPrinter {
 public:
  StatusPrinter(std::chrono::milliseconds interval, std::function<std::string()> line);
  ~StatusPrinter();

 private:
  std::atomic<bool> done_{false};
  std::thread thread_;
};

// "processed 1,234 | dead letters 0 | lag 12 | 2,345 ev/s", the rate since the last call.
class ProcessorStatusLine {
 public:
  explicit ProcessorStatusLine(const pipeline::ProcessorCounters& counters) : counters_(counters) {}
  std::string operator()();

 private:
  const pipeline::ProcessorCounters& counters_;
  int64_t last_processed_ = 0;
  std::chrono::steady_clock::time_point last_time_ = std::chrono::steady_clock::now();
};

// Replays a CSV file; Rewind() reopens it for --loop.
class CsvFeed : public pipeline::EventFeed {
 public:
  static Result<std::unique_ptr<CsvFeed>> Open(const std::string& path, bool strict);
  Result<bool> Next(Event* out) override { return reader_->Next(out); }
  Status Rewind() override;
  const csv::CsvEventReader& reader() const { return *reader_; }
  // How many times the file was started: 1, then one more per Rewind (--loop).
  int64_t passes() const { return rewinds_.load() + 1; }

 private:
  CsvFeed(std::string path, bool strict, std::unique_ptr<csv::CsvEventReader> reader)
      : path_(std::move(path)), strict_(strict), reader_(std::move(reader)) {}
  std::string path_;
  bool strict_;
  std::unique_ptr<csv::CsvEventReader> reader_;
  std::atomic<int64_t> rewinds_{0};
};

// Turns an input problem into the command's exit: code 2 and one line naming the input.
[[noreturn]] void ExitBadInput(const Status& status);

}  // namespace shopstream::cli
