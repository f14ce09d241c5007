#include "event/hour_blocks.h"

#include <cstdint>
#include <string>

#include "event/event_time.h"

namespace shopstream {
namespace {

constexpr int64_t kMicrosPerDay = int64_t{86'400} * 1'000'000;

// The first day of the `days`-day block, counted from 1970-01-01, that holds `day`.
std::string DayBlockOf(std::string_view day, int days) {
  auto micros = ParseEventTimeMicros(std::string(day) + " 00:00:00");
  const int64_t number = micros.ok() ? *micros / kMicrosPerDay : 0;  // whole days: exact
  const int64_t first = number - ((number % days) + days) % days;
  return UtcDateOfMicros(first * kMicrosPerDay);
}

}  // namespace

std::string_view HourBlockTable(int span) {
  return span > 24 ? "rollup_days_brand_wide" : "rollup_block_brand_wide";
}

std::string_view HourBlockSpanText(int span) {
  switch (span) {
    case 3:
      return "3";
    case 12:
      return "12";
    case 24:
      return "24";
    case 48:
      return "48";
    case 96:
      return "96";
  }
  return "";
}

std::string HourBlockOf(std::string_view hour, int span) {
  if (span > 24) return DayBlockOf(hour.substr(0, 10), span / 24) + " 00";
  int h = 0;
  if (hour.size() >= 13 && hour[11] >= '0' && hour[11] <= '9' && hour[12] >= '0' &&
      hour[12] <= '9') {
    h = (hour[11] - '0') * 10 + (hour[12] - '0');
  }
  h -= h % span;
  std::string out(hour.substr(0, 11));
  out.push_back(static_cast<char>('0' + h / 10));
  out.push_back(static_cast<char>('0' + h % 10));
  return out;
}

}  // namespace shopstream
