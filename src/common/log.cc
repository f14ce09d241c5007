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
std::atomic<LogFormat> g_format{LogFormat::kText};
std::mutex g_mutex;
std::string g_command;  // guarded by g_mutex

// RFC 3339 in UTC with milliseconds: 2026-12-06T11:39:18.042Z
std::string Rfc3339Now() {
  const auto now = std::chrono::system_clock::now();
  const std::time_t seconds = std::chrono::system_clock::to_time_t(now);
  const auto millis =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char stamp[40];
  const size_t n = std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);
  std::snprintf(stamp + n, sizeof stamp - n, ".%03dZ", static_cast<int>(millis));
  return stamp;
}

// A JSON string body: quotes, backslashes and control characters escaped; the text is
// already free of invalid UTF-8 (EscapeControls).
std::string JsonEscape(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace

void SetLogLevel(LogLevel level) { g_level = level; }
void SetLogFormat(LogFormat format) { g_format = format; }
void SetLogCommand(std::string command) {
  std::lock_guard lock(g_mutex);
  g_command = std::move(command);
}

void Log(LogLevel level, std::string_view message, const LogFields& fields) {
  if (level < g_level.load()) return;
  static const char* kNames[] = {"debug", "info", "warn", "error"};
  const char* name = kNames[static_cast<int>(level)];
  // Messages quote values from the stream and from files: no control character reaches the
  // terminal raw, and every message stays one line.
  const std::string safe = EscapeControls(message);
  const std::string stamp = Rfc3339Now();
  std::lock_guard lock(g_mutex);
  if (g_format == LogFormat::kJson) {
    std::string line = "{\"time\":\"" + stamp + "\",\"level\":\"" + name + "\"";
    if (!g_command.empty()) line += ",\"command\":\"" + JsonEscape(g_command) + "\"";
    line += ",\"message\":\"" + JsonEscape(safe) + "\"";
    if (!fields.empty()) {
      line += ",\"fields\":{";
      for (size_t i = 0; i < fields.size(); ++i) {
        line += (i ? ",\"" : "\"") + JsonEscape(EscapeControls(fields[i].first)) +
                "\":" + std::to_string(fields[i].second);
      }
      line += "}";
    }
    line += "}\n";
    std::fputs(line.c_str(), stderr);
    return;
  }
  std::fprintf(stderr, "%s %-5s %.*s\n", stamp.c_str(), name, static_cast<int>(safe.size()),
               safe.data());
}

}  // namespace shopstream
