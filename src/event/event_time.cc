#include "event/event_time.h"

#include <cstdio>

namespace shopstream {
namespace {

constexpr int64_t kMicrosPerSecond = 1'000'000;
constexpr int64_t kSecondsPerDay = 86'400;

bool IsLeap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int DaysInMonth(int y, int m) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeap(y) ? 29 : kDays[m - 1];
}

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

bool Digits(std::string_view t, size_t pos, size_t len, int* out) {
  int v = 0;
  for (size_t i = pos; i < pos + len; ++i) {
    if (t[i] < '0' || t[i] > '9') return false;
    v = v * 10 + (t[i] - '0');
  }
  *out = v;
  return true;
}

Status Bad(std::string_view text, const char* why) {
  return Status::InvalidArgument("event_time '" + std::string(text.substr(0, 40)) + "' " + why);
}

}  // namespace

Result<int64_t> ParseEventTimeMicros(std::string_view t) {
  int year, month, day, hour, minute, second;
  if (t.size() < 19 || t[4] != '-' || t[7] != '-' || (t[10] != ' ' && t[10] != 'T') ||
      t[13] != ':' || t[16] != ':' || !Digits(t, 0, 4, &year) || !Digits(t, 5, 2, &month) ||
      !Digits(t, 8, 2, &day) || !Digits(t, 11, 2, &hour) || !Digits(t, 14, 2, &minute) ||
      !Digits(t, 17, 2, &second)) {
    return Bad(t, "is not a timestamp YYYY-MM-DD HH:MM:SS");
  }
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > DaysInMonth(year, month)) {
    return Bad(t, "is not a date of the calendar");
  }
  if (hour > 23 || minute > 59 || second > 59) return Bad(t, "is not a time of day");
  int64_t fraction = 0;
  std::string_view rest = t.substr(19);
  if (!rest.empty() && rest[0] == '.') {
    size_t n = 1;
    int64_t scale = 100'000;
    for (; n < rest.size() && rest[n] >= '0' && rest[n] <= '9'; ++n) {
      fraction += (rest[n] - '0') * scale;
      scale /= 10;
    }
    if (n == 1) return Bad(t, "has a '.' without digits");
    rest = rest.substr(n);
  }
  if (!rest.empty() && rest != " UTC" && rest != "Z" && rest != "+00:00") {
    return Bad(t, "has a time zone other than UTC");
  }
  const int64_t days =
      DaysFromCivil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
  const int64_t seconds = days * kSecondsPerDay + hour * 3600 + minute * 60 + second;
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
