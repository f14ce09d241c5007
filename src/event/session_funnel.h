// Funnels per session with a conversion window, computed in the stream. For each of a few fixed
// windows N (kFunnelWindowMinutes), a session
//   - "viewed" at its first view of any product;
//   - "carted" when, for one product, a cart follows a view of it within N minutes of that view;
//   - "bought" when a purchase of that product also follows that cart within N minutes of the
//     same view.
// Each session counts once per step and window, in the hour of the event that made it reach the
// step. For "bought" the time from the session's first view of the bought product (in the
// current stretch, below) to the purchase is counted in a histogram (kFunnelDelayBuckets).
//
// Order: "follows" means arrives later in the stream (a partition's offset order; the commit
// order across partitions) with an event time that is not earlier (the same second follows).
//   - An event whose time is earlier than the newest funnel event already seen in its session is
//     out of order and is no funnel step (it still counts everywhere else).
//   - An event more than kFunnelHorizonSeconds older than the newest event time of the stream
//     when it arrives is late and is no funnel step either.
//   - A product's state in a session starts over after kFunnelHorizonSeconds without an event of
//     it (no window can reach across that gap; only the histogram's first view moves).
// These rules make the state a bounded function of the stream: what is older than the horizon
// can change no count, so a store drops it (FunnelState::Expire) without changing an answer.
// Pure accumulation; sql/funnel_writer.h persists it in the batch's transaction.
#pragma once

#include <array>
#include <cstdint>
#include <limits>
#include <map>
#include <string>
#include <tuple>
#include <utility>

#include "event/event.h"

namespace shopstream {

inline constexpr std::array<int64_t, 3> kFunnelWindowMinutes = {5, 30, 60};
inline constexpr int64_t kFunnelDefaultWindow = 30;
inline constexpr int64_t kFunnelHorizonSeconds = 60 * 60;  // the largest window
// The histogram's buckets, by their lower bound in seconds: [0, 1 min), [1, 2), [2, 5), ...
inline constexpr std::array<int64_t, 9> kFunnelDelayBuckets = {0,    60,   120,  300, 600,
                                                               1200, 1800, 2700, 3600};
inline constexpr int64_t kNoTime = std::numeric_limits<int64_t>::min();

// The lower bound of the histogram bucket of `seconds` (>= 0).
int64_t FunnelDelayBucket(int64_t seconds);

// What a session has reached, a bit each (stored as an integer).
inline constexpr int32_t kReachedViewed = 1;
inline constexpr int32_t ReachedCarted(size_t window) { return 2 << (2 * window); }
inline constexpr int32_t ReachedBought(size_t window) { return 4 << (2 * window); }

struct FunnelSession {
  int64_t last_time = kNoTime;  // the newest funnel event of the session, epoch seconds
  int32_t reached = 0;
};

struct FunnelProduct {
  int64_t first_view = kNoTime;   // the first view of this stretch
  int64_t last_view = kNoTime;    // the newest view
  int64_t carted_view = kNoTime;  // the newest view followed by a cart
  int64_t last_time = kNoTime;    // the newest event of the product in the session
};

struct FunnelCounts {
  int64_t viewed = 0, carted = 0, bought = 0;
};

// What a batch adds to the count tables.
struct FunnelDelta {
  // (hour 'YYYY-MM-DD HH', window minutes)
  std::map<std::pair<std::string, int64_t>, FunnelCounts> counts;
  // (hour, window minutes, delay bucket seconds) -> sessions
  std::map<std::tuple<std::string, int64_t, int64_t>, int64_t> delays;
  bool empty() const { return counts.empty(); }
};

// The state of the sessions a batch touches (loaded from the store first) and the stream's clock.
struct FunnelState {
  std::map<uint64_t, FunnelSession> sessions;
  std::map<std::pair<uint64_t, int64_t>, FunnelProduct> products;  // (session, product_id)
  int64_t newest = kNoTime;  // the newest event time of the stream, epoch seconds

  // Feeds one new row at `seconds` (its event_time) through the rules above.
  void Add(const CleanedEvent& row, int64_t seconds, FunnelDelta* delta);
};

// Epoch seconds of a cleaned row's "YYYY-MM-DD HH:MM:SS"; kNoTime when it does not parse.
int64_t FunnelSeconds(const std::string& event_time);

}  // namespace shopstream
