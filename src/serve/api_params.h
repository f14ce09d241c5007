// The query parameters of the dashboard API: `from` and `to` (a time range, time_range.h) and
// `limit` (1-100). InvalidArgument, answered with 400, names the parameter and the value.
#pragma once

#include "common/status.h"
#include "serve/http_request.h"
#include "store/query/time_range.h"

namespace shopstream::serve {

inline constexpr int kDefaultLimit = 10;
inline constexpr int kMaxLimit = 100;

Result<TimeRange> RangeParams(const HttpRequest& request);
Result<int> LimitParam(const HttpRequest& request);

}  // namespace shopstream::serve
