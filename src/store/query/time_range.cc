#include "store/query/time_range.h"

#include <cstdio>

namespace shopstream {
namespace {

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
int64_t DaysFromCivil(int64_t y, int64_t m, int64_t d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

void CivilFromDays(int64_t z, int64_t& y, int64_t& m, int64_t& d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp + (mp < 10 ? 3 : -9);
  y = yoe + era * 400 + (m <= 2);
}

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

// Reads exactly `n` digits at `pos`; false when they are not all digits.
bool ReadDigits(std::string_view text, size_t pos, size_t n, int64_t& out) {
  if (pos + n > text.size()) return false;
  out = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (text[i] < '0' || text[i] > '9') return false;
    out = out * 10 + (text[i] - '0');
  }
  return true;
}

int DaysInMonth(int64_t y, int64_t m) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m == 2 && leap ? 29 : kDays[m - 1];
}

std::string Format(int64_t minute, int fields) {
  int64_t days = FloorDiv(minute, kMinutesPerDay);
  int64_t in_day = minute - days * kMinutesPerDay;
  int64_t y, m, d;
  CivilFromDays(days, y, m, d);
  char buf[96];  // room for any int64 fields, which keeps -Wformat-truncation quiet
  if (fields == 3) {
    std::snprintf(buf, sizeof buf, "%04lld-%02lld-%02lld", static_cast<long long>(y),
                  static_cast<long long>(m), static_cast<long long>(d));
  } else if (fields == 4) {
    std::snprintf(buf, sizeof buf, "%04lld-%02lld-%02lld %02lld", static_cast<long long>(y),
                  static_cast<long long>(m), static_cast<long long>(d),
                  static_cast<long long>(in_day / 60));
  } else {
    std::snprintf(buf, sizeof buf, "%04lld-%02lld-%02lld %02lld:%02lld", static_cast<long long>(y),
                  static_cast<long long>(m), static_cast<long long>(d),
                  static_cast<long long>(in_day / 60), static_cast<long long>(in_day % 60));
  }
  return buf;
}

// "'text' what"; appended piece by piece because GCC 12 warns (-Wrestrict, falsely) on the
// equivalent chain of operator+.
std::string Quoted(std::string_view text, std::string_view what) {
  std::string out;
  out.reserve(text.size() + what.size() + 3);
  out.append(1, '\'').append(text).append("' ").append(what);
  return out;
}

}  // namespace

Result<int64_t> ParseUtcSeconds(std::string_view text) {
  auto bad = [&] {
    return Status::InvalidArgument(
        Quoted(text, "is not a time (expected YYYY-MM-DD[ HH:MM[:SS]], UTC)"));
  };
  std::string_view t = text;
  if (t.size() >= 4 && t.substr(t.size() - 4) == " UTC") t.remove_suffix(4);
  if (!t.empty() && t.back() == 'Z') t.remove_suffix(1);
  int64_t y, mo, d, h = 0, mi = 0, s = 0;
  if (t.size() < 10 || !ReadDigits(t, 0, 4, y) || t[4] != '-' || !ReadDigits(t, 5, 2, mo) ||
      t[7] != '-' || !ReadDigits(t, 8, 2, d)) {
    return bad();
  }
  if (t.size() > 10) {
    if ((t[10] != ' ' && t[10] != 'T') || t.size() < 16 || !ReadDigits(t, 11, 2, h) ||
        t[13] != ':' || !ReadDigits(t, 14, 2, mi)) {
      return bad();
    }
    if (t.size() > 16) {
      if (t[16] != ':' || !ReadDigits(t, 17, 2, s)) return bad();
      // Fractions of a second are allowed and ignored.
      if (t.size() > 19 && (t[19] != '.' || t.size() == 20)) return bad();
      for (size_t i = 20; i < t.size(); ++i) {
        if (t[i] < '0' || t[i] > '9') return bad();
      }
    }
  }
  if (mo < 1 || mo > 12 || d < 1 || d > DaysInMonth(y, mo) || h > 23 || mi > 59 || s > 59) {
    return bad();
  }
  return ((DaysFromCivil(y, mo, d) * 24 + h) * 60 + mi) * 60 + s;
}

Result<TimeRange> ParseTimeRange(std::string_view from, std::string_view to) {
  TimeRange range;
  if (!from.empty()) {
    auto s = ParseUtcSeconds(from);
    if (!s.ok()) return Status::InvalidArgument("from: " + s.status().message());
    range.from = FloorDiv(*s, 60);
  }
  if (!to.empty()) {
    auto s = ParseUtcSeconds(to);
    if (!s.ok()) return Status::InvalidArgument("to: " + s.status().message());
    range.to = FloorDiv(*s + 59, 60);
  }
  if (range.from && range.to && *range.from >= *range.to) {
    return Status::InvalidArgument("empty time range: from '" + std::string(from) +
                                   "' is not before to '" + std::string(to) + "'");
  }
  return range;
}

std::string FormatMinuteBucket(int64_t minute) { return Format(minute, 5); }
std::string FormatHourBucket(int64_t minute) { return Format(minute, 4); }
std::string FormatDayBucket(int64_t minute) { return Format(minute, 3); }

std::string FormatBucket(int64_t minute, Granularity g) {
  switch (g) {
    case Granularity::kMinute:
      return FormatMinuteBucket(minute);
    case Granularity::kHour:
      return FormatHourBucket(minute);
    case Granularity::kDay:
      return FormatDayBucket(minute);
  }
  return FormatMinuteBucket(minute);
}

Result<int64_t> ParseMinuteBucket(std::string_view bucket) {
  if (bucket.size() != 16) {
    return Status::Corruption(Quoted(bucket, "is not a minute bucket"));
  }
  auto s = ParseUtcSeconds(bucket);
  if (!s.ok()) return Status::Corruption(Quoted(bucket, "is not a minute bucket"));
  return FloorDiv(*s, 60);
}

Granularity ChooseGranularity(int64_t span_minutes) {
  if (span_minutes <= 6 * kMinutesPerHour) return Granularity::kMinute;
  if (span_minutes <= 31 * kMinutesPerDay) return Granularity::kHour;
  return Granularity::kDay;
}

int64_t GranularityMinutes(Granularity g) {
  switch (g) {
    case Granularity::kMinute:
      return 1;
    case Granularity::kHour:
      return kMinutesPerHour;
    case Granularity::kDay:
      return kMinutesPerDay;
  }
  return 1;
}

const char* GranularityName(Granularity g) {
  switch (g) {
    case Granularity::kMinute:
      return "minute";
    case Granularity::kHour:
      return "hour";
    case Granularity::kDay:
      return "day";
  }
  return "minute";
}

int64_t FloorTo(int64_t minute, Granularity g) {
  int64_t step = GranularityMinutes(g);
  return FloorDiv(minute, step) * step;
}

int64_t CeilTo(int64_t minute, Granularity g) {
  int64_t step = GranularityMinutes(g);
  return FloorDiv(minute + step - 1, step) * step;
}

}  // namespace shopstream
