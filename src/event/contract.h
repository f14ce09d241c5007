// The event contract: what every field of an event must be for its rows to be storable,
// identically, in every store (the seed's Cassandra and MySQL schemas, and SQLite's copy of
// them). It is applied once, before any store sees the event; an event that fails it becomes
// a dead letter whose reason names the field and the value. docs/event-contract.md lists the
// rules field by field.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "event/event.h"

namespace shopstream {

// DATETIME's documented range (MySQL and MariaDB): 1000-01-01 00:00:00 to 9999-12-31 23:59:59.
inline constexpr int kMinYear = 1000;
inline constexpr int kMaxYear = 9999;
// The seed's columns, in characters (utf8mb4 counts code points, not bytes).
inline constexpr size_t kMaxEventTypeChars = 20;  // event_type VARCHAR(20)
inline constexpr size_t kMaxNameChars = 50;       // department, product, brand VARCHAR(50)
// Fraction digits accepted after the seconds (nanoseconds at most); they are not stored.
inline constexpr size_t kMaxFractionDigits = 9;

// A calendar date and time within DATETIME's range.
struct DateTime {
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
};

// Reads "YYYY-MM-DD HH:MM:SS" (or 'T' between date and time), optionally followed by a
// fraction of up to 9 digits and one of " UTC", "Z", "+00:00". The date must exist (leap years
// included) and lie within DATETIME's range; the clock runs 00:00:00 to 23:59:59 (no leap
// second, no 24:00). InvalidArgument names what is wrong with `text`.
Result<DateTime> ParseEventTime(std::string_view text);

// "YYYY-MM-DD HH:MM:SS".
std::string FormatDateTime(const DateTime& t);

// Checks `event` against the contract and brings it to its one stored form: the id in lower
// case (UUIDs are case-insensitive; Cassandra keeps them so) and a price of -0 as 0. Text
// fields must be valid UTF-8 without NUL (PostgreSQL's text cannot hold it; other control
// characters are text like any other, which every output escapes); event_type 1 to 20
// characters; price finite, not negative, at most FLT_MAX and, unless 0, not so small that a
// FLOAT would turn it into 0 (the seed's columns are FLOAT); id a UUID.
Status ConformEvent(Event* event);

// What to do with a cleaned department, product or brand wider than the seed's column.
enum class LongText {
  kRefuse,    // the message becomes a dead letter (text.too_long); the default
  kTruncate,  // the first kMaxNameChars characters are kept
};

// The widths of the cleaned row's columns (checked after cleaning, since the seed's rules
// can lengthen a value: every "NaN" becomes "other"). With kTruncate an over-wide value is cut
// to its first kMaxNameChars characters instead.
Status CheckCleanedWidths(CleanedEvent* row, LongText policy = LongText::kRefuse);

// Why a message became a dead letter, as a short stable label beside the human reason: the
// same message gets the same code in every store, and docs/event-contract.md lists them all.
struct ReasonCode {
  std::string code;   // "json.syntax", "event_time.calendar", "store.refused", ...
  std::string field;  // the field the reason names, "" when none
};

// The code the contract, the decoder or the processor gave a refusal (Status::WithReason),
// where they decide it; "other" for a status given none.
ReasonCode CodeOfStatus(const Status& status);

// Only for the rows of a store made before codes existed (sql/dead_letter_upgrade.h): the code
// their stored reason reads as, by the wordings of that time. "other" for a reason no rule knows.
// Everything new carries its code from where it was decided (CodeOfStatus).
ReasonCode CodeOfReason(std::string_view reason);

// The processor's own codes (the others are given by the decoder and the contract).
inline constexpr std::string_view kStoreRefused = "store.refused";  // a store refused the row
inline constexpr std::string_view kBusRetention = "bus.retention";  // deleted before it was read

// Every code a dead letter may have, sorted.
const std::vector<std::string_view>& ReasonCodes();
bool IsReasonCode(std::string_view code);

}  // namespace shopstream
