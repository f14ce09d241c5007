// /api/trending: its parameters and its answer as JSON (query_store.h: QueryTrending).
//   dimension = product | brand | department (default product)
//   window    = 15 | 60 | 1440 minutes of stream time (default 60)
//   by        = views | carts | purchases | revenue (default revenue)
//   limit     = 1-100 (default 10)
// InvalidArgument, answered with 400, names the parameter and the value.
#pragma once

#include <string>

#include "common/status.h"
#include "query/query_store.h"
#include "serve/http_request.h"

namespace shopstream::serve {

struct TrendQuery {
  query::TrendDimension dimension = query::TrendDimension::kProduct;
  int64_t window_minutes = 60;
  query::TrendMetric metric = query::TrendMetric::kRevenue;
  int limit = 10;
};

Result<TrendQuery> TrendParams(const HttpRequest& request);

// {"dimension", "window_minutes", "by", "whole_hours", "from", "to", "previous_from",
//  "top": [{"name", "department"?, "value", "previous", "change"}], "rising": [...]}
std::string TrendingJson(const TrendQuery& asked, const query::Trending& trending);

}  // namespace shopstream::serve
