#include "query/time_range.h"

#include <algorithm>
#include <cstdio>

namespace shopstream::query {
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
  const auto Y = static_cast<long long>(y), M = static_cast<long long>(m),
             D = static_cast<long long>(d), H = static_cast<long long>(in_day / 60),
             N = static_cast<long long>(in_day % 60);
  char buf[96];  // room for any int64 fields, which keeps -Wformat-truncation quiet
  switch (fields) {
    case 1:
      std::snprintf(buf, sizeof buf, "%04lld", Y);
      break;
    case 2:
      std::snprintf(buf, sizeof buf, "%04lld-%02lld", Y, M);
      break;
    case 3:
      std::snprintf(buf, sizeof buf, "%04lld-%02lld-%02lld", Y, M, D);
      break;
    case 4:
      std::snprintf(buf, sizeof buf, "%04lld-%02lld-%02lld %02lld", Y, M, D, H);
      break;
    default:
      std::snprintf(buf, sizeof buf, "%04lld-%02lld-%02lld %02lld:%02lld", Y, M, D, H, N);
  }
  return buf;
}

// Year and month (1-12) of the day holding `minute`.
void YearMonthOf(int64_t minute, int64_t& y, int64_t& m) {
  int64_t d;
  CivilFromDays(FloorDiv(minute, kMinutesPerDay), y, m, d);
}

int64_t MonthStart(int64_t y, int64_t m) { return DaysFromCivil(y, m, 1) * kMinutesPerDay; }

// Months since year 0 of the month holding `minute`, and back.
int64_t MonthIndex(int64_t minute) {
  int64_t y, m;
  YearMonthOf(minute, y, m);
  return y * 12 + (m - 1);
}
int64_t MonthIndexStart(int64_t index) {
  int64_t y = FloorDiv(index, 12);
  return MonthStart(y, index - y * 12 + 1);
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
    case Granularity::kTenSeconds:
      return FormatTenSecondBucket(minute * 60);
    case Granularity::kMinute:
      return FormatMinuteBucket(minute);
    case Granularity::kHour:
      return FormatHourBucket(minute);
    case Granularity::kDay:
      return FormatDayBucket(minute);
    case Granularity::kMonth:
      return Format(minute, 2);
    case Granularity::kYear:
      return Format(minute, 1);
  }
  return FormatMinuteBucket(minute);
}

std::string FormatTenSecondBucket(int64_t second) {
  const int64_t minute = FloorDiv(second, 60);
  const int64_t tens = (second - minute * 60) / 10;
  std::string text = FormatMinuteBucket(minute);
  text.append(1, ':').append(1, static_cast<char>('0' + tens));
  return text;
}

Result<int64_t> ParseTenSecondBucket(std::string_view bucket) {
  if (bucket.size() != 18 || bucket[16] != ':' || bucket[17] < '0' || bucket[17] > '5') {
    return Status::Corruption(Quoted(bucket, "is not a ten-second bucket"));
  }
  auto minute = ParseMinuteBucket(bucket.substr(0, 16));
  if (!minute.ok()) return Status::Corruption(Quoted(bucket, "is not a ten-second bucket"));
  return *minute * 60 + (bucket[17] - '0') * 10;
}

Result<int64_t> ParseMinuteBucket(std::string_view bucket) {
  if (bucket.size() != 16) {
    return Status::Corruption(Quoted(bucket, "is not a minute bucket"));
  }
  auto s = ParseUtcSeconds(bucket);
  if (!s.ok()) return Status::Corruption(Quoted(bucket, "is not a minute bucket"));
  return FloorDiv(*s, 60);
}

Result<int64_t> FloorMinuteBucket(std::string_view bucket) {
  int64_t y, mo, d, h, mi;
  if (bucket.size() != 16 || !ReadDigits(bucket, 0, 4, y) || bucket[4] != '-' ||
      !ReadDigits(bucket, 5, 2, mo) || bucket[7] != '-' || !ReadDigits(bucket, 8, 2, d) ||
      bucket[10] != ' ' || !ReadDigits(bucket, 11, 2, h) || bucket[13] != ':' ||
      !ReadDigits(bucket, 14, 2, mi)) {
    return Status::Corruption(Quoted(bucket, "is not a minute bucket"));
  }
  // Each field past its range clamps to the last minute of the enclosing unit, whose text
  // sorts before the original; a zero month or day steps back to the unit before.
  int64_t minute;
  if (mo == 0) {
    minute = MonthStart(y, 1) - 1;
  } else if (mo > 12) {
    minute = MonthStart(y + 1, 1) - 1;
  } else if (d == 0) {
    minute = MonthStart(y, mo) - 1;
  } else if (d > DaysInMonth(y, mo)) {
    minute = MonthIndexStart(y * 12 + mo) - 1;
  } else if (h > 23) {
    minute = (DaysFromCivil(y, mo, d) + 1) * kMinutesPerDay - 1;
  } else {
    minute = DaysFromCivil(y, mo, d) * kMinutesPerDay + h * 60 + std::min<int64_t>(mi, 59);
  }
  return std::max(minute, kFirstMinute);
}

Granularity ChooseGranularity(int64_t span_minutes) {
  if (span_minutes <= kMinutesPerHour) return Granularity::kTenSeconds;
  if (span_minutes <= 6 * kMinutesPerHour) return Granularity::kMinute;
  if (span_minutes <= 31 * kMinutesPerDay) return Granularity::kHour;
  return Granularity::kDay;
}

int64_t GranularityMinutes(Granularity g) {
  switch (g) {
    case Granularity::kTenSeconds:
      return 0;
    case Granularity::kMinute:
      return 1;
    case Granularity::kHour:
      return kMinutesPerHour;
    case Granularity::kDay:
      return kMinutesPerDay;
    case Granularity::kMonth:
    case Granularity::kYear:
      return 0;
  }
  return 1;
}

const char* GranularityName(Granularity g) {
  switch (g) {
    case Granularity::kTenSeconds:
      return "second";
    case Granularity::kMinute:
      return "minute";
    case Granularity::kHour:
      return "hour";
    case Granularity::kDay:
      return "day";
    case Granularity::kMonth:
      return "month";
    case Granularity::kYear:
      return "year";
  }
  return "minute";
}

int64_t BucketIndex(int64_t minute, Granularity g) {
  switch (g) {
    case Granularity::kTenSeconds:
      return (minute - kFirstMinute) * 6;
    case Granularity::kMonth:
      return MonthIndex(minute);
    case Granularity::kYear:
      return FloorDiv(MonthIndex(minute), 12);
    default:
      return FloorDiv(minute - kFirstMinute, GranularityMinutes(g));
  }
}

int64_t BucketStart(int64_t index, Granularity g) {
  switch (g) {
    case Granularity::kTenSeconds:
      return kFirstMinute + FloorDiv(index, 6);
    case Granularity::kMonth:
      return MonthIndexStart(index);
    case Granularity::kYear:
      return MonthIndexStart(index * 12);
    default:
      return kFirstMinute + index * GranularityMinutes(g);
  }
}

int64_t FloorTo(int64_t minute, Granularity g) { return BucketStart(BucketIndex(minute, g), g); }

int64_t CeilTo(int64_t minute, Granularity g) {
  const int64_t index = BucketIndex(minute, g);
  const int64_t floor = BucketStart(index, g);
  return floor == minute ? minute : BucketStart(index + 1, g);
}

int64_t CountBuckets(int64_t from, int64_t to, Granularity g) {
  if (from >= to) return 0;
  if (g == Granularity::kTenSeconds) return (to - from) * 6;
  return BucketIndex(to - 1, g) - BucketIndex(from, g) + 1;
}

}  // namespace shopstream::query
