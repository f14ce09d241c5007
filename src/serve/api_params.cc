#include "serve/api_params.h"

#include <charconv>
#include <string>

#include "common/utf8.h"
#include "event/contract.h"

namespace shopstream::serve {

Result<query::TimeRange> RangeParams(const HttpRequest& request) {
  return query::ParseTimeRange(request.Param("from"), request.Param("to"));
}

Result<int> LimitParam(const HttpRequest& request) {
  if (!request.HasParam("limit")) return kDefaultLimit;
  const std::string_view text = request.Param("limit");
  int limit = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), limit);
  if (ec != std::errc() || p != text.data() + text.size() || limit < 1 || limit > kMaxLimit) {
    // The value is echoed in a JSON string, escaped there; cut so that the message stays short.
    std::string shown(text.substr(0, 40));
    return Status::InvalidArgument("limit '" + shown + "' is not a whole number from 1 to " +
                                   std::to_string(kMaxLimit));
  }
  return limit;
}

Result<query::Filter> FilterParams(const HttpRequest& request) {
  query::Filter filter;
  for (auto [name, into] :
       {std::pair{"department", &filter.department}, std::pair{"brand", &filter.brand}}) {
    const std::string_view text = request.Param(name);
    if (text.empty()) continue;
    if (!IsValidUtf8(text) || CountUtf8Chars(text) > kMaxFilterChars) {
      // Echoed in a JSON string, escaped there, and cut so that the message stays short.
      return Status::InvalidArgument(std::string(name) + " '" + SanitizeUtf8(text, 40) +
                                     "' is not a name of at most " +
                                     std::to_string(kMaxFilterChars) + " characters");
    }
    *into = std::string(text);
  }
  return filter;
}

Result<query::DeadLetterQuery> DeadLetterParams(const HttpRequest& request) {
  query::DeadLetterQuery wanted;
  wanted.code = std::string(request.Param("code"));
  wanted.stream = std::string(request.Param("stream"));
  wanted.state = std::string(request.Param("state"));
  if (!wanted.code.empty() && !IsReasonCode(wanted.code)) {
    return Status::InvalidArgument("code '" + wanted.code.substr(0, 40) +
                                   "' is not a dead letter code (docs/event-contract.md)");
  }
  if (!wanted.state.empty() && wanted.state != "open" && wanted.state != "replayed" &&
      wanted.state != "quarantined") {
    return Status::InvalidArgument("state '" + wanted.state.substr(0, 40) +
                                   "' is not open, replayed or quarantined");
  }
  if (request.HasParam("limit")) {
    auto limit = LimitParam(request);
    if (!limit.ok()) return limit.status();
    wanted.limit = *limit;
  }
  return wanted;
}

}  // namespace shopstream::serve
