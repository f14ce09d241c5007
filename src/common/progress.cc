#include "common/progress.h"

#include <unistd.h>

#include <cstdio>

namespace shopstream {
namespace {

constexpr int kBarWidth = 24;
constexpr auto kRedrawInterval = std::chrono::milliseconds(100);

// "999", "12.3k", "4.56M", "7.89G" (or with B/KB/MB/GB for bytes).
std::string Quantity(double value, ProgressUnit unit) {
  static const char* kCountSuffix[] = {"", "k", "M", "G", "T"};
  static const char* kByteSuffix[] = {" B", " KB", " MB", " GB", " TB"};
  int i = 0;
  while (value >= 1000 && i < 4) {
    value /= 1000;
    ++i;
  }
  const char* suffix = unit == ProgressUnit::kBytes ? kByteSuffix[i] : kCountSuffix[i];
  char text[32];
  if (i == 0) {
    std::snprintf(text, sizeof text, "%.0f%s", value, suffix);
  } else {
    std::snprintf(text, sizeof text, value < 100 ? "%.2f%s" : "%.1f%s", value, suffix);
  }
  return text;
}

std::string Duration(double seconds) {
  auto s = static_cast<long long>(seconds + 0.5);
  char text[32];
  std::snprintf(text, sizeof text, "%lld:%02lld:%02lld", s / 3600, s / 60 % 60, s % 60);
  return text;
}

}  // namespace

std::string FormatProgressLine(std::string_view label, uint64_t done, uint64_t total,
                               double seconds, ProgressUnit unit, std::string_view noun) {
  std::string line(label);
  std::string noun_part =
      unit == ProgressUnit::kCount && !noun.empty() ? " " + std::string(noun) : std::string();
  if (total > 0) {
    double fraction = done >= total ? 1.0 : static_cast<double>(done) / total;
    int filled = static_cast<int>(fraction * kBarWidth);
    line += " [" + std::string(filled, '#') + std::string(kBarWidth - filled, '.') + "]";
    char percent[16];
    std::snprintf(percent, sizeof percent, " %5.1f%%", fraction * 100);
    line += percent;
    line += "  " + Quantity(done, unit) + "/" + Quantity(total, unit) + noun_part;
  } else {
    line += "  " + Quantity(done, unit) + noun_part;
  }
  if (seconds > 0) {
    double rate = done / seconds;
    line += "  " + Quantity(rate, unit) + noun_part + "/s";
    if (total > 0 && rate > 0 && done < total) {
      line += "  ETA " + Duration((total - done) / rate);
    } else if (total > 0 && done >= total) {
      line += "  in " + Duration(seconds);
    }
  }
  return line;
}

ProgressBar::ProgressBar(std::string label, uint64_t total, ProgressUnit unit, std::string noun)
    : ProgressBar(std::move(label), total, unit, std::move(noun), ::isatty(STDERR_FILENO) == 1) {}

ProgressBar::ProgressBar(std::string label, uint64_t total, ProgressUnit unit, std::string noun,
                         bool enabled)
    : label_(std::move(label)),
      total_(total),
      unit_(unit),
      noun_(std::move(noun)),
      enabled_(enabled),
      start_(std::chrono::steady_clock::now()),
      last_draw_(start_) {}

ProgressBar::~ProgressBar() { Finish(); }

void ProgressBar::Update(uint64_t done) {
  last_done_ = done;
  if (!enabled_) return;
  auto now = std::chrono::steady_clock::now();
  if (now - last_draw_ < kRedrawInterval) return;
  last_draw_ = now;
  Draw(done);
}

void ProgressBar::Finish() {
  if (finished_) return;
  finished_ = true;
  if (!enabled_) return;
  Draw(last_done_);
  std::fputc('\n', stderr);
}

void ProgressBar::Draw(uint64_t done) {
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  std::string line = FormatProgressLine(label_, done, total_, seconds, unit_, noun_);
  // \r returns to the line start; \x1b[K clears what a longer previous line left behind.
  std::fprintf(stderr, "\r%s\x1b[K", line.c_str());
  std::fflush(stderr);
}

}  // namespace shopstream
