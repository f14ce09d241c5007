// Minimal logging to stderr: one line per message, with a level and a UTC time stamp.
// Control characters in a message are escaped (common/text.h). Never log secrets (passwords,
// tokens): Uri::text has secret-named options masked.
//   text: 2026-12-06T11:39:18.042Z info  processing ...
//   json: {"time":"2026-12-06T11:39:18.042Z","level":"info","command":"process","message":"...",
//          "fields":{"processed":1234}}
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace shopstream {

enum class LogLevel { kDebug, kInfo, kWarn, kError };
enum class LogFormat { kText, kJson };

// Messages below `level` are dropped (-q: warnings and errors only; -v: debug too).
void SetLogLevel(LogLevel level);
void SetLogFormat(LogFormat format);
// The command that logs, for the JSON form's "command" field.
void SetLogCommand(std::string command);

// Numbers that go with a message, for machines: the JSON form writes them as "fields":{...};
// the text form leaves them out (the message says them in words).
using LogFields = std::vector<std::pair<std::string, int64_t>>;

void Log(LogLevel level, std::string_view message, const LogFields& fields = {});
inline void LogDebug(std::string_view m) { Log(LogLevel::kDebug, m); }
inline void LogInfo(std::string_view m) { Log(LogLevel::kInfo, m); }
inline void LogWarn(std::string_view m) { Log(LogLevel::kWarn, m); }
inline void LogError(std::string_view m) { Log(LogLevel::kError, m); }

}  // namespace shopstream
