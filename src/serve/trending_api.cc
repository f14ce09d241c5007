#include "serve/trending_api.h"

#include <iterator>
#include <string_view>

#include "common/json_writer.h"
#include "query/trending.h"
#include "serve/api_params.h"

namespace shopstream::serve {
namespace {

constexpr std::string_view kDimensions[] = {"product", "brand", "department"};
constexpr std::string_view kMetrics[] = {"views", "carts", "purchases", "revenue"};

// The index of `text` among `names`, or -1; an absent parameter is `fallback`.
template <size_t N>
int Pick(const HttpRequest& request, const char* param, const std::string_view (&names)[N],
         int fallback) {
  if (!request.HasParam(param)) return fallback;
  for (size_t i = 0; i < N; ++i) {
    if (request.Param(param) == names[i]) return static_cast<int>(i);
  }
  return -1;
}

Status Bad(const HttpRequest& request, const char* param, const char* expected) {
  // Echoed in a JSON string, escaped there; cut so that the message stays short.
  const std::string shown(request.Param(param).substr(0, 40));
  return Status::InvalidArgument(std::string(param) + " '" + shown + "' is not " + expected);
}

void WriteItems(JsonWriter& w, const std::vector<query::TrendItem>& items, bool with_department) {
  w.BeginArray();
  for (const query::TrendItem& item : items) {
    w.BeginObject().Key("name").String(item.name);
    if (with_department) w.Key("department").String(item.department);
    w.Key("value").Double(item.value).Key("previous").Double(item.previous);
    w.Key("change").OptionalDouble(item.change).EndObject();
  }
  w.EndArray();
}

}  // namespace

Result<TrendQuery> TrendParams(const HttpRequest& request) {
  TrendQuery q;
  const int dimension = Pick(request, "dimension", kDimensions, 0);
  if (dimension < 0) return Bad(request, "dimension", "product, brand or department");
  q.dimension = static_cast<query::TrendDimension>(dimension);
  const int metric = Pick(request, "by", kMetrics, 3);
  if (metric < 0) return Bad(request, "by", "views, carts, purchases or revenue");
  q.metric = static_cast<query::TrendMetric>(metric);
  if (request.HasParam("window")) {
    q.window_minutes = -1;
    for (int64_t w : query::kTrendWindows) {
      if (request.Param("window") == std::to_string(w)) q.window_minutes = w;
    }
    if (q.window_minutes < 0) return Bad(request, "window", "15, 60 or 1440 (minutes)");
  }
  auto limit = LimitParam(request);
  if (!limit.ok()) return limit.status();
  q.limit = *limit;
  return q;
}

std::string TrendingJson(const TrendQuery& asked, const query::Trending& t) {
  const bool products = asked.dimension == query::TrendDimension::kProduct;
  JsonWriter w;
  w.BeginObject();
  w.Key("dimension").String(kDimensions[static_cast<int>(asked.dimension)]);
  w.Key("window_minutes").Int(asked.window_minutes);
  w.Key("by").String(kMetrics[static_cast<int>(asked.metric)]);
  w.Key("whole_hours").Bool(t.whole_hours);
  for (auto [key, text] : {std::pair{"from", &t.from}, std::pair{"to", &t.to},
                           std::pair{"previous_from", &t.previous_from}}) {
    w.Key(key);
    text->empty() ? w.Null() : w.String(*text);
  }
  w.Key("top");
  WriteItems(w, t.top, products);
  w.Key("rising");
  WriteItems(w, t.rising, products);
  w.EndObject();
  return w.str();
}

}  // namespace shopstream::serve
