#include "store/mysql/mysql_values.h"

#include <cmath>
#include <cstdint>
#include <cstdio>

#include "common/utf8.h"
#include "event/contract.h"

namespace shopstream::mysql {
namespace {

Status CheckText(const CleanedEvent& row, const char* column, std::string_view value,
                 size_t max_chars) {
  if (!IsValidUtf8(value)) {
    return Status::RefusedValue("row id '" + SanitizeUtf8(row.id, 200) + "': " + column +
                                " is not valid UTF-8");
  }
  if (size_t chars = CountChars(value); chars > max_chars) {
    return Status::RefusedValue("row id '" + SanitizeUtf8(row.id, 200) + "': " + column + " has " +
                                std::to_string(chars) + " characters; the column holds " +
                                std::to_string(max_chars));
  }
  return Status::Ok();
}

}  // namespace

bool IsValidUtf8(std::string_view s) { return shopstream::IsValidUtf8(s); }

size_t CountChars(std::string_view s) { return CountUtf8Chars(s); }

std::string SanitizeUtf8(std::string_view s, size_t max_bytes) {
  static constexpr std::string_view kReplacement = "\xEF\xBF\xBD";
  std::string out;
  for (size_t i = 0; i < s.size();) {
    const size_t n = Utf8SequenceLength(s, i);
    const std::string_view piece = n == 0 ? kReplacement : s.substr(i, n);
    if (out.size() + piece.size() > max_bytes) break;
    out += piece;
    i += n == 0 ? 1 : n;
  }
  return out;
}

Status CheckRow(const CleanedEvent& row) {
  if (row.id.empty()) return Status::RefusedValue("a row has an empty id");
  const struct {
    const char* column;
    const std::string& value;
    size_t max_chars;
  } columns[] = {
      {"id", row.id, kIdChars},
      {"event_type", row.event_type, kMaxEventTypeChars},
      {"department", row.department, kMaxNameChars},
      {"product", row.product, kMaxNameChars},
      {"brand", row.brand, kMaxNameChars},
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

namespace {

// The escapes LOAD DATA's ESCAPED BY '\\' undoes; every other byte goes as it is.
const char* LoadDataEscape(char c) {
  switch (c) {
    case '\\':
      return "\\\\";
    case '\t':
      return "\\t";
    case '\n':
      return "\\n";
    case '\r':
      return "\\r";
    case '\0':
      return "\\0";
    default:
      return nullptr;
  }
}

void AppendEscaped(std::string_view text, std::string* out) {
  for (char c : text) {
    if (const char* escaped = LoadDataEscape(c)) {
      out->append(escaped);
    } else {
      out->push_back(c);
    }
  }
  out->push_back('\t');
}

}  // namespace

bool AppendLoadDataLine(const CleanedEvent& row, std::string* out) {
  if (!std::isfinite(row.price) || !std::isfinite(row.revenue)) return false;
  for (std::string_view text : {std::string_view(row.id), std::string_view(row.event_time),
                                std::string_view(row.event_type), std::string_view(row.department),
                                std::string_view(row.product), std::string_view(row.brand)}) {
    AppendEscaped(text, out);
  }
  char number[64];
  int n = std::snprintf(number, sizeof number, "%.17g\t%.17g\n", row.price, row.revenue);
  out->append(number, n);
  return true;
}

}  // namespace shopstream::mysql
