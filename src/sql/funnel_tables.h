// The session funnel's tables (event/session_funnel.h), described once for every SQL database:
//   funnel_hour(bucket 'YYYY-MM-DD HH', window_minutes, viewed, carted, bought)   the board reads
//   funnel_delay_hour(bucket, window_minutes, delay_seconds, sessions)          the histogram
//   funnel_sessions(session_key, last_time, reached)     one slim row per session ever seen
//   funnel_states(session_key, last_time, products)   a session's open product states, packed
//                                        (funnel_states.h); last_time is the newest of them, and
//                                        the row is dropped 2 hours after it
//   funnel_clock(id, newest)                             the stream's newest event time
// Times are epoch seconds (kNoTime for none); a session key is its 64-bit hash as a BIGINT.
#pragma once

#include <string_view>
#include <vector>

#include "sql/schema.h"

namespace shopstream::sql {

// In creation order: funnel_hour, funnel_delay_hour, funnel_sessions, funnel_states, funnel_clock.
const std::vector<Table>& FunnelTables();
enum FunnelTable { kFunnelHour, kFunnelDelayHour, kFunnelSessions, kFunnelStates, kFunnelClock };

// Where an older store kept one row per session and product (funnel_upgrade.h moves them).
inline constexpr std::string_view kLegacyFunnelOpen = "funnel_open";

}  // namespace shopstream::sql
