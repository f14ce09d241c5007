// A one-line progress bar on stderr: done/total, percent, rate and time left. It draws only
// when stderr is a terminal, so logs and pipes stay clean, and redraws at most ten times a
// second, so calling Update() often is cheap.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace shopstream {

enum class ProgressUnit { kBytes, kCount };

// The text of one progress line (no carriage return), e.g.
// "generate [#######.......]  45.0%  450.0k/1.00M rows  1.20M rows/s  ETA 0:00:01".
// `total` 0 means unknown: no bar, percent or ETA. `noun` names a kCount unit ("rows").
std::string FormatProgressLine(std::string_view label, uint64_t done, uint64_t total,
                               double seconds, ProgressUnit unit, std::string_view noun);

class ProgressBar {
 public:
  // `enabled` defaults to whether stderr is a terminal.
  ProgressBar(std::string label, uint64_t total, ProgressUnit unit, std::string noun = "rows");
  ProgressBar(std::string label, uint64_t total, ProgressUnit unit, std::string noun, bool enabled);
  ~ProgressBar();

  void set_total(uint64_t total) { total_ = total; }
  void Update(uint64_t done);
  // Draws the final state and ends the line; called by the destructor if not before.
  void Finish();

 private:
  void Draw(uint64_t done);

  std::string label_;
  uint64_t total_;
  ProgressUnit unit_;
  std::string noun_;
  bool enabled_;
  bool finished_ = false;
  uint64_t last_done_ = 0;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_draw_;
};

}  // namespace shopstream
