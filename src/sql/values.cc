#include "sql/values.h"

#include "common/text.h"
#include "common/utf8.h"
#include "event/contract.h"
#include "sql/schema.h"

namespace shopstream::sql {
namespace {

Status CheckText(const CleanedEvent& row, const char* column, std::string_view value,
                 size_t max_chars) {
  if (!IsValidUtf8(value) || value.find('\0') != std::string_view::npos) {
    return Status::RefusedValue("row id " + QuoteValue(row.id, 100) + ": " + column +
                                " is not valid UTF-8 without NUL");
  }
  if (size_t chars = CountUtf8Chars(value); chars > max_chars) {
    return Status::RefusedValue("row id " + QuoteValue(row.id, 100) + ": " + column + " has " +
                                std::to_string(chars) + " characters; the column holds " +
                                std::to_string(max_chars));
  }
  return Status::Ok();
}

}  // namespace

Status CheckRow(const CleanedEvent& row) {
  if (row.id.empty()) return Status::RefusedValue("a row has an empty id");
  const struct {
    const char* column;
    const std::string& value;
    size_t max_chars;
  } columns[] = {
      {"id", row.id, kIdWidth},
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
  if (stream.empty() || !IsValidUtf8(stream) || stream.find('\0') != std::string_view::npos ||
      CountUtf8Chars(stream) > kStreamWidth) {
    return Status::InvalidArgument("stream name " + QuoteValue(stream, 300) +
                                   " must be valid UTF-8 of 1 to " + std::to_string(kStreamWidth) +
                                   " characters");
  }
  return Status::Ok();
}

}  // namespace shopstream::sql
