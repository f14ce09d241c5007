// Minimal logging to stderr: one line per message, with a level and a UTC time stamp.
// Control characters in a message are escaped (common/text.h). Never log secrets (passwords,
// tokens): Uri::text has secret-named options masked.
#pragma once

#include <string_view>

namespace shopstream {

enum class LogLevel { kDebug, kInfo, kWarn, kError };

void SetLogLevel(LogLevel level);
void Log(LogLevel level, std::string_view message);
inline void LogInfo(std::string_view m) { Log(LogLevel::kInfo, m); }
inline void LogWarn(std::string_view m) { Log(LogLevel::kWarn, m); }
inline void LogError(std::string_view m) { Log(LogLevel::kError, m); }

}  // namespace shopstream
