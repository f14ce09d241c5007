#include "store/mysql/mysql_values.h"

#include <cstdint>

namespace shopstream::mysql {
namespace {

// Length of the valid UTF-8 sequence at s[i], or 0 if the bytes there are not one.
size_t SequenceLength(std::string_view s, size_t i) {
  const auto byte = [&](size_t k) { return static_cast<uint8_t>(s[k]); };
  const uint8_t b0 = byte(i);
  if (b0 < 0x80) return 1;
  size_t n;
  uint8_t lo = 0x80, hi = 0xBF;  // the allowed range of the second byte
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    n = 2;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    n = 3;
    if (b0 == 0xE0) lo = 0xA0;  // no overlong forms
    if (b0 == 0xED) hi = 0x9F;  // no surrogates
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    n = 4;
    if (b0 == 0xF0) lo = 0x90;  // no overlong forms
    if (b0 == 0xF4) hi = 0x8F;  // nothing above U+10FFFF
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  if (byte(i + 1) < lo || byte(i + 1) > hi) return 0;
  for (size_t k = 2; k < n; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
  }
  return n;
}

Status CheckText(const CleanedEvent& row, const char* column, std::string_view value,
                 size_t max_chars) {
  if (!IsValidUtf8(value)) {
    return Status::InvalidArgument("row id '" + SanitizeUtf8(row.id, 200) + "': " + column +
                                   " is not valid UTF-8");
  }
  if (size_t chars = CountChars(value); chars > max_chars) {
    return Status::InvalidArgument("row id '" + SanitizeUtf8(row.id, 200) + "': " + column +
                                   " has " + std::to_string(chars) +
                                   " characters; the column holds " + std::to_string(max_chars));
  }
  return Status::Ok();
}

}  // namespace

bool IsValidUtf8(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    const size_t n = SequenceLength(s, i);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

size_t CountChars(std::string_view s) {
  size_t chars = 0;
  for (char c : s) chars += (static_cast<uint8_t>(c) & 0xC0) != 0x80;
  return chars;
}

std::string SanitizeUtf8(std::string_view s, size_t max_bytes) {
  static constexpr std::string_view kReplacement = "\xEF\xBF\xBD";
  std::string out;
  for (size_t i = 0; i < s.size();) {
    const size_t n = SequenceLength(s, i);
    const std::string_view piece = n == 0 ? kReplacement : s.substr(i, n);
    if (out.size() + piece.size() > max_bytes) break;
    out += piece;
    i += n == 0 ? 1 : n;
  }
  return out;
}

Status CheckRow(const CleanedEvent& row) {
  if (row.id.empty()) return Status::InvalidArgument("a row has an empty id");
  const struct {
    const char* column;
    const std::string& value;
    size_t max_chars;
  } columns[] = {
      {"id", row.id, kIdChars},
      {"event_type", row.event_type, kMaxEventTypeLength},
      {"department", row.department, kMaxNameLength},
      {"product", row.product, kMaxNameLength},
      {"brand", row.brand, kMaxNameLength},
  };
  for (const auto& c : columns) {
    if (Status s = CheckText(row, c.column, c.value, c.max_chars); !s.ok()) return s;
  }
  return Status::Ok();
}

Status CheckStreamName(std::string_view stream) {
  if (stream.empty() || !IsValidUtf8(stream) || CountChars(stream) > kStreamChars) {
    return Status::InvalidArgument("stream name '" + SanitizeUtf8(stream, 300) +
                                   "' must be valid UTF-8 of 1 to " + std::to_string(kStreamChars) +
                                   " characters");
  }
  return Status::Ok();
}

}  // namespace shopstream::mysql
