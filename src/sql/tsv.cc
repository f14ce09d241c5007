#include "sql/tsv.h"

#include <charconv>
#include <cmath>

namespace shopstream::sql {
namespace {

// The escapes both LOAD DATA's ESCAPED BY '\\' and COPY's text format undo; every other byte
// goes as it is.
const char* TsvEscape(char c) {
  switch (c) {
    case '\\':
      return "\\\\";
    case '\t':
      return "\\t";
    case '\n':
      return "\\n";
    case '\r':
      return "\\r";
    default:
      return nullptr;
  }
}

void AppendEscaped(std::string_view text, std::string* out) {
  for (char c : text) {
    if (const char* escaped = TsvEscape(c)) {
      out->append(escaped);
    } else {
      out->push_back(c);
    }
  }
  out->push_back('\t');
}

}  // namespace

bool AppendTsvRow(const CleanedEvent& row, std::string* out) {
  if (!std::isfinite(row.price) || !std::isfinite(row.revenue)) return false;
  for (std::string_view text : {std::string_view(row.id), std::string_view(row.event_time),
                                std::string_view(row.event_type), std::string_view(row.department),
                                std::string_view(row.product), std::string_view(row.brand)}) {
    AppendEscaped(text, out);
  }
  // The shortest text that reads back as the same double: exact, and cheaper than %.17g.
  char number[64];
  char* end = std::to_chars(number, number + 32, row.price).ptr;
  *end++ = '\t';
  end = std::to_chars(end, number + sizeof number - 1, row.revenue).ptr;
  *end++ = '\n';
  out->append(number, static_cast<size_t>(end - number));
  return true;
}

}  // namespace shopstream::sql
