#include "cli/cli_util.h"

#include <malloc.h>
#include <unistd.h>

#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstdlib>

#include "cli/commands.h"
#include "common/text.h"

namespace shopstream::cli {
namespace {

std::atomic<bool> g_stop{false};

void OnSignal(int) {
  if (g_stop.exchange(true)) _exit(130);  // second Ctrl-C: the user means it
  static const char kMessage[] =
      "\nstopping: finishing the current batch (Ctrl-C again to abort)\n";
  [[maybe_unused]] auto n = write(STDERR_FILENO, kMessage, sizeof kMessage - 1);
}

}  // namespace

std::atomic<bool>& InstallStopSignals() {
  struct sigaction action {};
  action.sa_handler = OnSignal;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
  return g_stop;
}

Result<std::chrono::milliseconds> ParseDuration(const std::string& text) {
  constexpr double kMaxMillis = 30.0 * 24 * 3600 * 1000;
  char* end = nullptr;
  double value = std::strtod(text.c_str(), &end);
  std::string unit = end ? std::string(end) : "";
  double factor = 0;
  if (unit.empty() || unit == "s")
    factor = 1000;
  else if (unit == "ms")
    factor = 1;
  else if (unit == "m" || unit == "min")
    factor = 60'000;
  else if (unit == "h")
    factor = 3'600'000;
  if (end == text.c_str() || factor == 0 || !std::isfinite(value) || value < 0 ||
      value * factor > kMaxMillis) {
    return Status::InvalidArgument(QuoteValue(text) +
                                   " is not a duration from 0 to 30 days (e.g. 15s, 500ms, 2m)");
  }
  return std::chrono::milliseconds(static_cast<int64_t>(value * factor));
}

CLI::Validator FiniteAbove(double min, bool inclusive) {
  const std::string what = std::string(inclusive ? "a number of at least " : "a number above ") +
                           CLI::detail::to_string(min);
  return CLI::Validator(
      [min, inclusive, what](std::string& text) -> std::string {
        char* end = nullptr;
        const double v = std::strtod(text.c_str(), &end);
        const bool ok = end != text.c_str() && *end == '\0' && std::isfinite(v) &&
                        (inclusive ? v >= min : v > min);
        return ok ? std::string() : QuoteValue(text) + " is not " + what;
      },
      inclusive ? "NUMBER>=" + CLI::detail::to_string(min)
                : "NUMBER>" + CLI::detail::to_string(min));
}

Status ApplyRate(const std::string& text, bool seed_allowed, ReplayOptions* options) {
  if (text == "max") {
    options->pacing = ReplayOptions::Pacing::kMax;
    return Status::Ok();
  }
  if (seed_allowed && text == "seed") {
    options->pacing = ReplayOptions::Pacing::kSeed;
    return Status::Ok();
  }
  char* end = nullptr;
  const double rate = std::strtod(text.c_str(), &end);
  if (end == text.c_str() || *end != '\0' || !std::isfinite(rate) || rate <= 0) {
    return Status::InvalidArgument("--rate " + QuoteValue(text) +
                                   " is not a positive number of events per second or 'max'" +
                                   (seed_allowed ? " or 'seed'" : ""));
  }
  options->pacing = ReplayOptions::Pacing::kRate;
  options->rate = rate;
  return Status::Ok();
}

std::string Grouped(int64_t n) {
  std::string digits = std::to_string(n < 0 ? -n : n);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out.push_back(',');
    out.push_back(digits[i]);
  }
  return n < 0 ? "-" + out : out;
}

StatusPrinter::StatusPrinter(std::chrono::milliseconds interval, std::function<std::string()> line)
    : thread_([this, interval, line = std::move(line)] {
        auto next = std::chrono::steady_clock::now() + interval;
        while (!done_) {
          std::this_thread::sleep_for(std::chrono::milliseconds(50));
          if (std::chrono::steady_clock::now() < next) continue;
          next += interval;
          std::string text = line();
          std::fprintf(stderr, "%s\n", text.c_str());
        }
      }) {}

StatusPrinter::~StatusPrinter() {
  done_ = true;
  thread_.join();
}

std::string ProcessorStatusLine::operator()() {
  const auto now = std::chrono::steady_clock::now();
  const int64_t processed = counters_.processed;
  const double seconds = std::chrono::duration<double>(now - last_time_).count();
  const double rate = seconds > 0 ? (processed - last_processed_) / seconds : 0;
  last_processed_ = processed;
  last_time_ = now;
  const int64_t lag = counters_.lag;
  return "processed " + Grouped(processed) + " | dead letters " + Grouped(counters_.dead_letters) +
         " | lag " + (lag < 0 ? std::string("?") : Grouped(lag)) + " | " +
         Grouped(static_cast<int64_t>(rate)) + " ev/s";
}

Result<std::unique_ptr<CsvFeed>> CsvFeed::Open(const std::string& path, bool strict) {
  auto reader = csv::CsvEventReader::Open(path, {.strict = strict});
  if (!reader.ok()) return reader.status();
  return std::unique_ptr<CsvFeed>(new CsvFeed(path, strict, std::move(reader).value()));
}

Status CsvFeed::Rewind() {
  auto reader = csv::CsvEventReader::Open(path_, {.strict = strict_});
  if (!reader.ok()) return reader.status();
  reader_ = std::move(reader).value();
  return Status::Ok();
}

void ExitBadInput(const Status& status) { throw CommandExit(kExitBadInput, status.message()); }

void TuneAllocatorForBatches() {
  // glibc's defaults raise the mmap threshold to the largest block ever freed and keep up to
  // twice that in the heap; fixed values keep the batches' large blocks out of it.
  mallopt(M_MMAP_THRESHOLD, 256 * 1024);
  mallopt(M_TRIM_THRESHOLD, 1024 * 1024);
}

}  // namespace shopstream::cli
