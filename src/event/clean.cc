#include "event/clean.h"

#include "event/contract.h"
#include "sketch/hash64.h"

namespace shopstream {
namespace {

constexpr std::string_view kOther = "other";

// The seed replaces the text "NaN" wherever it occurs, and missing values read as "NaN".
void AssignReplacingNaN(std::string_view value, std::string* out) {
  if (value.empty()) return out->assign(kOther), void();
  size_t hit = value.find("NaN");
  if (hit == std::string_view::npos) return out->assign(value), void();
  out->clear();
  size_t start = 0;
  for (; hit != std::string_view::npos; hit = value.find("NaN", start)) {
    out->append(value.substr(start, hit - start)).append(kOther);
    start = hit + 3;
  }
  out->append(value.substr(start));
}

}  // namespace

Status CleanInto(Event* e, CleanedEvent* out, LongText policy) {
  if (Status s = ConformEvent(e); !s.ok()) return s;
  // ConformEvent checked the shape: the date and time are the first 19 characters.
  out->event_time.assign(e->event_time, 0, 19);
  out->event_time[10] = ' ';
  std::string_view code =
      e->category_code ? std::string_view(*e->category_code) : std::string_view();
  std::string_view department = code.substr(0, code.find('.'));
  const size_t last_dot = code.rfind('.');
  std::string_view product = last_dot == std::string_view::npos ? code : code.substr(last_dot + 1);
  AssignReplacingNaN(department, &out->department);
  AssignReplacingNaN(product, &out->product);
  AssignReplacingNaN(e->brand ? std::string_view(*e->brand) : std::string_view(), &out->brand);
  if (Status s = CheckCleanedWidths(out, policy); !s.ok()) return s;
  out->id.assign(e->id);
  out->event_type.assign(e->event_type);
  out->price = e->price;
  out->revenue = e->event_type == "purchase" ? e->price : 0.0;
  out->product_id = e->product_id;
  out->user_hash = sketch::Hash64(e->user_id, sketch::kUserSeed);
  out->has_session = e->user_session.has_value();
  out->session_hash = out->has_session
                          ? sketch::Hash64(std::string_view(*e->user_session), sketch::kSessionSeed)
                          : 0;
  return Status::Ok();
}

Result<CleanedEvent> Clean(Event* e) {
  CleanedEvent out;
  if (Status s = CleanInto(e, &out); !s.ok()) return s;
  return out;
}

}  // namespace shopstream
