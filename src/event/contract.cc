#include "event/contract.h"

#include <cfloat>
#include <cmath>
#include <cstdio>

#include "common/text.h"
#include "common/utf8.h"
#include "event/uuid.h"

namespace shopstream {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// The number in `t[pos, pos+len)`, or -1 when it is not all digits.
int Digits(std::string_view t, size_t pos, size_t len) {
  int v = 0;
  for (size_t i = pos; i < pos + len; ++i) {
    if (!IsDigit(t[i])) return -1;
    v = v * 10 + (t[i] - '0');
  }
  return v;
}

bool IsLeapYear(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int DaysInMonth(int year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && IsLeapYear(year) ? 29 : kDays[month - 1];
}

// `code`: event_time.format, .zone, .range or .calendar (docs/event-contract.md).
Status BadTime(std::string_view text, const std::string& why, const char* code) {
  return Status::InvalidArgument("event_time " + QuoteValue(text) + " " + why)
      .WithReason(code, "event_time");
}

Status CheckText(const char* field, std::string_view text) {
  if (!IsValidUtf8(text)) {
    return Status::InvalidArgument(std::string(field) + " " + QuoteValue(text) +
                                   " is not valid UTF-8")
        .WithReason("text.utf8", field);
  }
  // PostgreSQL's text types cannot hold U+0000; every other code point goes everywhere.
  if (text.find('\0') != std::string_view::npos) {
    return Status::InvalidArgument(std::string(field) + " " + QuoteValue(text) +
                                   " holds a NUL character")
        .WithReason("text.nul", field);
  }
  return Status::Ok();
}

std::string PriceText(double price) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.9g", price);
  return buf;
}

}  // namespace

Result<DateTime> ParseEventTime(std::string_view t) {
  constexpr std::string_view kShape = "is not a time YYYY-MM-DD HH:MM:SS[.fraction][ UTC]";
  if (t.size() < 19 || t[4] != '-' || t[7] != '-' || (t[10] != ' ' && t[10] != 'T') ||
      t[13] != ':' || t[16] != ':') {
    return BadTime(t, std::string(kShape), "event_time.format");
  }
  DateTime d{Digits(t, 0, 4),  Digits(t, 5, 2),  Digits(t, 8, 2),
             Digits(t, 11, 2), Digits(t, 14, 2), Digits(t, 17, 2)};
  if (d.year < 0 || d.month < 0 || d.day < 0 || d.hour < 0 || d.minute < 0 || d.second < 0) {
    return BadTime(t, std::string(kShape), "event_time.format");
  }
  std::string_view rest = t.substr(19);
  if (!rest.empty() && rest[0] == '.') {
    size_t digits = 0;
    while (digits + 1 < rest.size() && IsDigit(rest[digits + 1])) ++digits;
    if (digits == 0 || digits > kMaxFractionDigits) {
      return BadTime(t,
                     "has a fraction of " + std::to_string(digits) + " digits (1 to " +
                         std::to_string(kMaxFractionDigits) + ")",
                     "event_time.format");
    }
    rest.remove_prefix(digits + 1);
  }
  if (!rest.empty() && rest != " UTC" && rest != "Z" && rest != "+00:00") {
    return BadTime(t, "ends in " + QuoteValue(rest) + " (only UTC times: ' UTC', 'Z', '+00:00')",
                   "event_time.zone");
  }
  if (d.year < kMinYear || d.year > kMaxYear) {
    return BadTime(t,
                   "has year " + std::to_string(d.year) + ", outside DATETIME's " +
                       std::to_string(kMinYear) + " to " + std::to_string(kMaxYear),
                   "event_time.range");
  }
  if (d.month < 1 || d.month > 12) {
    return BadTime(t, "has month " + std::to_string(d.month), "event_time.calendar");
  }
  if (d.day < 1 || d.day > DaysInMonth(d.year, d.month)) {
    return BadTime(t,
                   "is not a calendar date (" + std::to_string(d.year) + "-" +
                       (d.month < 10 ? "0" : "") + std::to_string(d.month) + " has " +
                       std::to_string(DaysInMonth(d.year, d.month)) + " days)",
                   "event_time.calendar");
  }
  if (d.hour > 23 || d.minute > 59 || d.second > 59) {
    return BadTime(t, "is not a time of day (00:00:00 to 23:59:59)", "event_time.calendar");
  }
  return d;
}

std::string FormatDateTime(const DateTime& t) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d %02d:%02d:%02d", t.year, t.month, t.day, t.hour,
                t.minute, t.second);
  return buf;
}

Status ConformEvent(Event* e) {
  // The raw table keys rows by a UUID (the seed's Cassandra schema).
  if (!IsUuidText(e->id)) {
    return Status::InvalidArgument("id " + QuoteValue(e->id) + " is not a UUID")
        .WithReason("id.format", "id");
  }
  for (char& c : e->id) {
    if (c >= 'A' && c <= 'F') c = static_cast<char>(c - 'A' + 'a');
  }
  if (auto t = ParseEventTime(e->event_time); !t.ok()) return t.status();
  if (Status s = CheckText("event_type", e->event_type); !s.ok()) return s;
  if (size_t chars = CountUtf8Chars(e->event_type); chars == 0 || chars > kMaxEventTypeChars) {
    return Status::InvalidArgument("event_type " + QuoteValue(e->event_type) + " has " +
                                   std::to_string(chars) + " characters (1 to " +
                                   std::to_string(kMaxEventTypeChars) + ")")
        .WithReason(chars == 0 ? "text.empty" : "text.too_long", "event_type");
  }
  for (const auto& [field, text] : {std::pair<const char*, const std::optional<std::string>*>{
                                        "category_code", &e->category_code},
                                    {"brand", &e->brand},
                                    {"user_session", &e->user_session}}) {
    if (*text) {
      if (Status s = CheckText(field, **text); !s.ok()) return s;
    }
  }
  if (!std::isfinite(e->price)) {
    return Status::InvalidArgument("price " + PriceText(e->price) + " is not a finite number")
        .WithReason("price.range", "price");
  }
  if (e->price < 0) {
    return Status::InvalidArgument("price " + PriceText(e->price) + " is negative")
        .WithReason("price.range", "price");
  }
  if (e->price > FLT_MAX) {
    return Status::InvalidArgument("price " + PriceText(e->price) +
                                   " is above FLOAT's largest value 3.40282347e+38")
        .WithReason("price.range", "price");
  }
  // A FLOAT column would keep 0, PostgreSQL's refuses: no store may differ, so none takes it.
  if (e->price != 0 && static_cast<float>(e->price) == 0) {
    return Status::InvalidArgument("price " + PriceText(e->price) +
                                   " is below FLOAT's smallest value 1.4e-45")
        .WithReason("price.range", "price");
  }
  if (e->price == 0) e->price = 0;  // -0 and 0 are one price
  return Status::Ok();
}

Status CheckCleanedWidths(CleanedEvent* row, LongText policy) {
  for (const auto& [field, value] :
       {std::pair<const char*, std::string*>{"department", &row->department},
        {"product", &row->product},
        {"brand", &row->brand}}) {
    if (size_t chars = CountUtf8Chars(*value); chars > kMaxNameChars) {
      if (policy == LongText::kTruncate) {
        size_t bytes = 0;  // the end of the first kMaxNameChars characters (valid UTF-8)
        for (size_t n = 0; n < kMaxNameChars; ++n) {
          const size_t len = Utf8SequenceLength(*value, bytes);
          bytes += len == 0 ? 1 : len;
        }
        value->resize(bytes);
        continue;
      }
      return Status::InvalidArgument(std::string(field) + " " + QuoteValue(*value) + " has " +
                                     std::to_string(chars) +
                                     " characters after cleaning; the seed's column holds " +
                                     std::to_string(kMaxNameChars))
          .WithReason("text.too_long", field);
    }
  }
  return Status::Ok();
}

}  // namespace shopstream
