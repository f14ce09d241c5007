#include "event/clean.h"

#include <cmath>

#include "event/utf8.h"
#include "event/uuid.h"

namespace shopstream {
namespace {

constexpr std::string_view kOther = "other";

bool IsDigits(std::string_view s) {
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return !s.empty();
}

// The seed replaces the text "NaN" wherever it occurs, and missing values read as "NaN".
std::string ReplaceNaN(std::string_view value) {
  if (value.empty()) return std::string(kOther);
  std::string out;
  size_t start = 0;
  while (true) {
    size_t hit = value.find("NaN", start);
    if (hit == std::string_view::npos) break;
    out.append(value.substr(start, hit - start)).append(kOther);
    start = hit + 3;
  }
  out.append(value.substr(start));
  return out;
}

std::string_view OrEmpty(const std::optional<std::string>& s) {
  return s ? std::string_view(*s) : std::string_view();
}

}  // namespace

std::string NormaliseEventTime(std::string_view t) {
  // YYYY-MM-DD HH:MM:SS, optionally followed by .ffffff and/or " UTC" (or 'T' as separator).
  if (t.size() < 19) return {};
  if (!IsDigits(t.substr(0, 4)) || t[4] != '-' || !IsDigits(t.substr(5, 2)) || t[7] != '-' ||
      !IsDigits(t.substr(8, 2)) || (t[10] != ' ' && t[10] != 'T') || !IsDigits(t.substr(11, 2)) ||
      t[13] != ':' || !IsDigits(t.substr(14, 2)) || t[16] != ':' || !IsDigits(t.substr(17, 2))) {
    return {};
  }
  auto num = [&](size_t pos, size_t len) {
    int v = 0;
    for (size_t i = pos; i < pos + len; ++i) v = v * 10 + (t[i] - '0');
    return v;
  };
  int month = num(5, 2), day = num(8, 2), hour = num(11, 2), minute = num(14, 2),
      second = num(17, 2);
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59) {
    return {};
  }
  std::string_view rest = t.substr(19);
  if (!rest.empty() && rest[0] == '.') {
    size_t digits = 1;
    while (digits < rest.size() && rest[digits] >= '0' && rest[digits] <= '9') ++digits;
    if (digits == 1) return {};
    rest = rest.substr(digits);
  }
  if (!rest.empty() && rest != " UTC" && rest != "Z" && rest != "+00:00") return {};
  std::string out(t.substr(0, 19));
  out[10] = ' ';
  return out;
}

Result<CleanedEvent> Clean(const Event& e) {
  // The raw table keys rows by a UUID (the seed's Cassandra schema), so ids must be UUIDs.
  if (!IsUuidText(e.id)) return Status::InvalidArgument("id is not a UUID");
  // Cassandra's text type takes nothing but valid UTF-8, so a message that slipped an invalid
  // sequence past the decoder (an unpaired \u surrogate, say) is refused here, not by a store.
  for (const auto& [name, text] :
       {std::pair<const char*, std::string_view>{"event_type", e.event_type},
        {"category_code", OrEmpty(e.category_code)},
        {"brand", OrEmpty(e.brand)},
        {"user_session", OrEmpty(e.user_session)}}) {
    if (!IsValidUtf8(text))
      return Status::InvalidArgument(std::string(name) + " is not valid UTF-8");
  }
  if (e.event_type.empty() || CountUtf8Chars(e.event_type) > kMaxEventTypeLength) {
    return Status::InvalidArgument("event_type is empty or longer than " +
                                   std::to_string(kMaxEventTypeLength) + " characters");
  }
  if (!std::isfinite(e.price)) return Status::InvalidArgument("price is not a finite number");

  CleanedEvent out;
  out.event_time = NormaliseEventTime(e.event_time);
  if (out.event_time.empty()) {
    return Status::InvalidArgument("event_time '" + e.event_time.substr(0, 40) +
                                   "' is not a timestamp YYYY-MM-DD HH:MM:SS");
  }
  std::string_view code = e.category_code ? std::string_view(*e.category_code) : std::string_view();
  std::string_view department = code.substr(0, code.find('.'));
  std::string_view product =
      code.substr(code.rfind('.') == std::string_view::npos ? 0 : code.rfind('.') + 1);
  out.department = ReplaceNaN(department);
  out.product = ReplaceNaN(product);
  out.brand = ReplaceNaN(e.brand ? std::string_view(*e.brand) : std::string_view());
  // The seed's MySQL columns are VARCHAR(50): 50 characters, however many bytes they take.
  for (const auto& [name, value] :
       {std::pair<const char*, const std::string*>{"department", &out.department},
        {"product", &out.product},
        {"brand", &out.brand}}) {
    if (size_t chars = CountUtf8Chars(*value); chars > kMaxNameLength) {
      return Status::InvalidArgument(std::string(name) + " has " + std::to_string(chars) +
                                     " characters after cleaning; the seed's column holds " +
                                     std::to_string(kMaxNameLength));
    }
  }
  out.id = e.id;
  out.event_type = e.event_type;
  out.price = e.price;
  out.revenue = e.event_type == "purchase" ? e.price : 0.0;
  return out;
}

}  // namespace shopstream
