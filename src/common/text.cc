#include "common/text.h"

#include <cstdint>
#include <cstdio>

#include "common/utf8.h"

namespace shopstream {
namespace {

bool IsC0OrDel(uint8_t b) { return b < 0x20 || b == 0x7F; }

// C1 controls U+0080..U+009F are encoded as C2 80..C2 9F.
bool IsC1At(std::string_view s, size_t i, size_t n) {
  return n == 2 && static_cast<uint8_t>(s[i]) == 0xC2 && static_cast<uint8_t>(s[i + 1]) <= 0x9F;
}

void AppendHex(std::string* out, const char* prefix, unsigned value, int digits) {
  char buf[12];
  std::snprintf(buf, sizeof buf, "%s%0*X", prefix, digits, value);
  out->append(buf);
}

}  // namespace

std::string EscapeControls(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    const auto b = static_cast<uint8_t>(text[i]);
    const size_t n = Utf8SequenceLength(text, i);
    if (n == 0) {
      AppendHex(&out, "\\x", b, 2);
      ++i;
    } else if (n == 1 && IsC0OrDel(b)) {
      AppendHex(&out, "\\x", b, 2);
      ++i;
    } else if (IsC1At(text, i, n)) {
      AppendHex(&out, "\\u00", static_cast<uint8_t>(text[i + 1]), 2);
      i += n;
    } else {
      out.append(text.substr(i, n));
      i += n;
    }
  }
  return out;
}

std::string QuoteValue(std::string_view text, size_t max_chars) {
  size_t end = 0, chars = 0;
  while (end < text.size() && chars < max_chars) {
    const size_t n = Utf8SequenceLength(text, end);
    end += n == 0 ? 1 : n;
    ++chars;
  }
  std::string out = "'" + EscapeControls(text.substr(0, end));
  if (end < text.size()) out += "...";
  out += "'";
  return out;
}

}  // namespace shopstream
