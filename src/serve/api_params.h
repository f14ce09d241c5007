// The query parameters of the dashboard API: `from` and `to` (a time range, time_range.h),
// `department` and `brand` (a cross-filter; empty or absent is no filter) and `limit` (1-100).
// InvalidArgument, answered with 400, names the parameter and the value.
#pragma once

#include "common/status.h"
#include "query/query_store.h"
#include "query/time_range.h"
#include "serve/http_request.h"

namespace shopstream::serve {

inline constexpr int kDefaultLimit = 10;
inline constexpr int kMaxLimit = 100;
// A filter names a department or a brand, which the event contract keeps within 50 characters.
inline constexpr size_t kMaxFilterChars = 50;

Result<query::TimeRange> RangeParams(const HttpRequest& request);
Result<int> LimitParam(const HttpRequest& request);
// Valid UTF-8 of at most kMaxFilterChars characters each.
Result<query::Filter> FilterParams(const HttpRequest& request);
// /api/deadletters: code (one of the contract's codes), stream, state (open, replayed,
// quarantined) and limit (newest examples, 1 to 100).
Result<query::DeadLetterQuery> DeadLetterParams(const HttpRequest& request);

}  // namespace shopstream::serve
