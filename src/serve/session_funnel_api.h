// /api/session_funnel: the funnel per session with a conversion window (query_store.h:
// QuerySessionFunnel). Parameters: window = 5 | 30 | 60 minutes (default 30), from, to (as every
// ranged figure; the hours that overlap the range count). InvalidArgument, answered with 400,
// names a bad parameter.
#pragma once

#include <string>

#include "common/status.h"
#include "query/query_store.h"
#include "serve/http_request.h"

namespace shopstream::serve {

Result<int64_t> FunnelWindowParam(const HttpRequest& request);

// {"window_minutes", "windows": [5, 30, 60], "from_hour", "to_hour", "steps": [{"stage",
//  "sessions"}], "view_to_cart", "cart_to_purchase", "view_to_purchase",
//  "delays": [{"from_seconds", "to_seconds" (null for the last), "sessions"}]}
std::string SessionFunnelJson(const query::SessionFunnel& funnel);

}  // namespace shopstream::serve
