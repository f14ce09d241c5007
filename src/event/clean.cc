#include "event/clean.h"

#include "event/contract.h"
#include "sketch/hash64.h"

namespace shopstream {
namespace {

constexpr std::string_view kOther = "other";

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

}  // namespace

Result<CleanedEvent> Clean(Event* e) {
  if (Status s = ConformEvent(e); !s.ok()) return s;
  CleanedEvent out;
  // ConformEvent checked the shape: the date and time are the first 19 characters.
  out.event_time.assign(e->event_time, 0, 19);
  out.event_time[10] = ' ';
  std::string_view code =
      e->category_code ? std::string_view(*e->category_code) : std::string_view();
  std::string_view department = code.substr(0, code.find('.'));
  const size_t last_dot = code.rfind('.');
  std::string_view product = last_dot == std::string_view::npos ? code : code.substr(last_dot + 1);
  out.department = ReplaceNaN(department);
  out.product = ReplaceNaN(product);
  out.brand = ReplaceNaN(e->brand ? std::string_view(*e->brand) : std::string_view());
  if (Status s = CheckCleanedWidths(out); !s.ok()) return s;
  out.id = e->id;
  out.event_type = e->event_type;
  out.price = e->price;
  out.revenue = e->event_type == "purchase" ? e->price : 0.0;
  out.user_hash = sketch::Hash64(e->user_id, sketch::kUserSeed);
  if (e->user_session) {
    out.session_hash = sketch::Hash64(std::string_view(*e->user_session), sketch::kSessionSeed);
    out.has_session = true;
  }
  return out;
}

}  // namespace shopstream
