// The session funnel's tables (event/session_funnel.h), described once for every SQL database:
//   funnel_hour(bucket 'YYYY-MM-DD HH', window_minutes, viewed, carted, bought)   the board reads
//   funnel_delay_hour(bucket, window_minutes, delay_seconds, sessions)          the histogram
//   funnel_sessions(session_key, last_time, reached)     one slim row per session ever seen
//   funnel_open(session_key, product_id, first_view, last_view, carted_view, last_time)
//                                        a product's state in a session, dropped after 2 hours
//   funnel_clock(id, newest)                             the stream's newest event time
// Times are epoch seconds (kNoTime for none); a session key is its 64-bit hash as a BIGINT.
#pragma once

#include <vector>

#include "sql/schema.h"

namespace shopstream::sql {

// In creation order: funnel_hour, funnel_delay_hour, funnel_sessions, funnel_open, funnel_clock.
const std::vector<Table>& FunnelTables();
enum FunnelTable { kFunnelHour, kFunnelDelayHour, kFunnelSessions, kFunnelOpen, kFunnelClock };

}  // namespace shopstream::sql
