#include "common/log.h"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <mutex>
#include <string>

#include "common/text.h"

namespace shopstream {
namespace {
std::atomic<LogLevel> g_level{LogLevel::kInfo};
std::mutex g_mutex;
}  // namespace

void SetLogLevel(LogLevel level) { g_level = level; }

void Log(LogLevel level, std::string_view message) {
  if (level < g_level.load()) return;
  static const char* kNames[] = {"debug", "info", "warn", "error"};
  std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&now, &tm);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%H:%M:%S", &tm);
  // Messages quote values from the stream and from files: no control character reaches the
  // terminal raw, and every message stays one line.
  const std::string safe = EscapeControls(message);
  std::lock_guard lock(g_mutex);
  std::fprintf(stderr, "%s %-5s %.*s\n", stamp, kNames[static_cast<int>(level)],
               static_cast<int>(safe.size()), safe.data());
}

}  // namespace shopstream
