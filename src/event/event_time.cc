#include "event/event_time.h"

#include <cstdio>

#include "event/contract.h"

namespace shopstream {
namespace {

constexpr int64_t kMicrosPerSecond = 1'000'000;
constexpr int64_t kSecondsPerDay = 86'400;

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

// The inverse: year, month, day of a day number.
void CivilFromDays(int64_t z, int64_t* y, unsigned* m, unsigned* d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp < 10 ? mp + 3 : mp - 9;
  *y = static_cast<int64_t>(yoe) + era * 400 + (*m <= 2);
}

}  // namespace

Result<int64_t> ParseEventTimeMicros(std::string_view t) {
  // The contract's reading (event/contract.h): the same times are valid everywhere.
  auto parsed = ParseEventTime(t);
  if (!parsed.ok()) return parsed.status();
  const DateTime& d = *parsed;
  int64_t fraction = 0;
  if (t.size() > 20 && t[19] == '.') {
    int64_t scale = 100'000;
    for (size_t i = 20; i < t.size() && t[i] >= '0' && t[i] <= '9' && scale > 0; ++i) {
      fraction += (t[i] - '0') * scale;
      scale /= 10;
    }
  }
  const int64_t days =
      DaysFromCivil(d.year, static_cast<unsigned>(d.month), static_cast<unsigned>(d.day));
  const int64_t seconds = days * kSecondsPerDay + d.hour * 3600 + d.minute * 60 + d.second;
  return seconds * kMicrosPerSecond + fraction;
}

std::string UtcDateOfMicros(int64_t micros) {
  int64_t seconds = micros / kMicrosPerSecond - (micros % kMicrosPerSecond < 0 ? 1 : 0);
  int64_t days = seconds / kSecondsPerDay - (seconds % kSecondsPerDay < 0 ? 1 : 0);
  int64_t y;
  unsigned m, d;
  CivilFromDays(days, &y, &m, &d);
  char out[48];  // room for any int64 year, so that GCC sees no truncation
  std::snprintf(out, sizeof out, "%04lld-%02u-%02u", static_cast<long long>(y), m, d);
  return out;
}

}  // namespace shopstream
