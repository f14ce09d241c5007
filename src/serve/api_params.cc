#include "serve/api_params.h"

#include <charconv>
#include <string>

namespace shopstream::serve {

Result<TimeRange> RangeParams(const HttpRequest& request) {
  return ParseTimeRange(request.Param("from"), request.Param("to"));
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

}  // namespace shopstream::serve
