#include "event/session_funnel.h"

#include <algorithm>

#include "event/event_time.h"

namespace shopstream {

int64_t FunnelDelayBucket(int64_t seconds) {
  int64_t bucket = 0;
  for (int64_t lower : kFunnelDelayBuckets) {
    if (seconds >= lower) bucket = lower;
  }
  return bucket;
}

int64_t FunnelSeconds(const std::string& event_time) {
  auto micros = ParseEventTimeMicros(event_time);
  if (!micros.ok()) return kNoTime;
  // Floor, also before 1970.
  const int64_t m = *micros;
  return m >= 0 ? m / 1000000 : -((-m + 999999) / 1000000);
}

void FunnelState::Add(const CleanedEvent& row, int64_t t, FunnelDelta* delta) {
  if (t == kNoTime) return;
  const bool late = newest != kNoTime && t < newest - kFunnelHorizonSeconds;
  newest = std::max(newest, t);
  if (late || !row.has_session) return;
  const bool view = row.event_type == "view", cart = row.event_type == "cart",
             purchase = row.event_type == "purchase";
  if (!view && !cart && !purchase) return;

  FunnelSession& s = sessions[row.session_hash];
  if (s.last_time != kNoTime && t < s.last_time) return;  // out of order in its session
  s.last_time = t;
  FunnelProduct& p = products[{row.session_hash, row.product_id}];
  if (p.last_time != kNoTime && t - p.last_time > kFunnelHorizonSeconds) p = FunnelProduct{};
  p.last_time = t;

  const std::string hour = row.event_time.substr(0, 13);
  if (view) {
    if (p.first_view == kNoTime) p.first_view = t;
    p.last_view = t;
    if (!(s.reached & kReachedViewed)) {
      s.reached |= kReachedViewed;
      for (int64_t w : kFunnelWindowMinutes) ++delta->counts[{hour, w}].viewed;
    }
    return;
  }
  if (cart) {
    if (p.last_view == kNoTime) return;
    p.carted_view = p.last_view;  // the newest view before the cart: the latest deadline
    for (size_t i = 0; i < kFunnelWindowMinutes.size(); ++i) {
      const int64_t w = kFunnelWindowMinutes[i];
      if (s.reached & ReachedCarted(i)) continue;
      if (t - p.last_view > w * 60) continue;
      s.reached |= ReachedCarted(i);
      ++delta->counts[{hour, w}].carted;
    }
    return;
  }
  if (p.carted_view == kNoTime) return;
  for (size_t i = 0; i < kFunnelWindowMinutes.size(); ++i) {
    const int64_t w = kFunnelWindowMinutes[i];
    if (s.reached & ReachedBought(i)) continue;
    if (t - p.carted_view > w * 60) continue;
    s.reached |= ReachedBought(i);
    ++delta->counts[{hour, w}].bought;
    ++delta->delays[{hour, w, FunnelDelayBucket(t - p.first_view)}];
  }
}

}  // namespace shopstream
