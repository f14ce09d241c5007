#include "cli/cli_util.h"

#include <malloc.h>
#include <unistd.h>

#include <cctype>
#include <charconv>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstdlib>

#include "cli/commands.h"
#include "common/log.h"
#include "common/text.h"

namespace shopstream::cli {
namespace {

std::atomic<bool> g_stop{false};
std::atomic<int> g_signal{0};
// Written before the handlers are installed; the handler only reads them (async-signal-safe).
std::string g_interrupt_note;
std::string g_terminate_note;

void OnSignal(int signal_number) {
  if (g_stop.exchange(true)) _exit(128 + signal_number);  // a second signal: the user means it
  g_signal = signal_number;
  const std::string& note = signal_number == SIGINT ? g_interrupt_note : g_terminate_note;
  [[maybe_unused]] auto n = write(STDERR_FILENO, note.data(), note.size());
}

}  // namespace

std::atomic<bool>& InstallStopSignals(std::string_view doing) {
  g_interrupt_note = "\nstopping: " + std::string(doing) + " (Ctrl-C again to abort)\n";
  g_terminate_note = "\nstopping on SIGTERM: " + std::string(doing) + "\n";
  struct sigaction action {};
  action.sa_handler = OnSignal;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
  return g_stop;
}

void ExitIfStoppedBySignal() {
  if (const int signal_number = g_signal.load(); signal_number != 0) {
    throw CommandExit(128 + signal_number, "");
  }
}

int StopSignal() { return g_signal.load(); }

Result<std::chrono::milliseconds> ParseDuration(const std::string& text) {
  constexpr double kMaxMillis = 30.0 * 24 * 3600 * 1000;
  const auto refuse = [&text] {
    return Status::InvalidArgument(QuoteValue(text) +
                                   " is not a duration from 0 to 30 days (e.g. 500ms, 2s, 1m30s)");
  };
  // Terms of a number and a unit, largest unit first ("1h30m", "1m30s"); a bare number is
  // seconds, alone only.
  double total = 0;
  double last_factor = 0;
  const char* p = text.c_str();
  if (*p == '\0') return refuse();
  while (*p != '\0') {
    if (!std::isdigit(static_cast<unsigned char>(*p)) && *p != '.') return refuse();
    char* end = nullptr;
    const double value = std::strtod(p, &end);
    if (end == p || !std::isfinite(value)) return refuse();
    const char* unit_end = end;
    while (std::isalpha(static_cast<unsigned char>(*unit_end))) ++unit_end;
    const std::string_view unit(end, unit_end - end);
    double factor = 0;
    if (unit.empty() && p == text.c_str() && *unit_end == '\0')
      factor = 1000;
    else if (unit == "ms")
      factor = 1;
    else if (unit == "s")
      factor = 1000;
    else if (unit == "m" || unit == "min")
      factor = 60'000;
    else if (unit == "h")
      factor = 3'600'000;
    if (factor == 0 || (last_factor != 0 && factor >= last_factor)) return refuse();
    last_factor = factor;
    total += value * factor;
    p = unit_end;
  }
  if (total > kMaxMillis) return refuse();
  return std::chrono::milliseconds(static_cast<int64_t>(total));
}

CLI::Validator DurationCheck(bool zero_allowed) {
  return CLI::Validator(
      [zero_allowed](std::string& text) -> std::string {
        auto parsed = ParseDuration(text);
        if (!parsed.ok()) return parsed.status().message();
        if (!zero_allowed && parsed->count() == 0) {
          return QuoteValue(text) + " is not a positive duration (e.g. 500ms, 2s, 1m30s)";
        }
        return std::string();
      },
      "DURATION");
}

CLI::Validator WholeNumber(int64_t min, int64_t max) {
  const std::string range = "a whole number from " + Grouped(min) + " to " + Grouped(max);
  return CLI::Validator(
      [min, max, range](std::string& text) -> std::string {
        int64_t v = 0;
        const char* end = text.data() + text.size();
        auto [p, ec] = std::from_chars(text.data(), end, v);
        const bool ok = !text.empty() && ec == std::errc() && p == end && v >= min && v <= max;
        return ok ? std::string() : QuoteValue(text) + " is not " + range;
      },
      "INTEGER");
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

Status ApplyRate(const std::string& text, bool seed_allowed, pipeline::ReplayOptions* options) {
  if (text == "max") {
    options->pacing = pipeline::ReplayOptions::Pacing::kMax;
    return Status::Ok();
  }
  if (seed_allowed && text == "seed") {
    options->pacing = pipeline::ReplayOptions::Pacing::kSeed;
    return Status::Ok();
  }
  char* end = nullptr;
  const double rate = std::strtod(text.c_str(), &end);
  if (end == text.c_str() || *end != '\0' || !std::isfinite(rate) || rate <= 0) {
    return Status::InvalidArgument("--rate " + QuoteValue(text) +
                                   " is not a positive number of events per second or 'max'" +
                                   (seed_allowed ? " or 'seed'" : ""));
  }
  options->pacing = pipeline::ReplayOptions::Pacing::kRate;
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
        if (interval.count() == 0) return;  // --status-every 0: no status line
        auto next = std::chrono::steady_clock::now() + interval;
        while (!done_) {
          std::this_thread::sleep_for(std::chrono::milliseconds(50));
          if (std::chrono::steady_clock::now() < next) continue;
          next += interval;
          LogInfo(line());
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
  ++rewinds_;
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
