// The dashboard API's query parameters and what a range becomes (serve/api_params.h,
// query/time_range.h, query/rollup_reading.h), with a data extent and rollup rows
// as a store could hold them (an older processor kept days such as 2019-02-30):
//  - `from`/`to`/`limit` parse or give InvalidArgument; a range has from < to;
//  - bucket bounds select a non-empty text interval; a split range's parts too;
//  - a time series has between 1 and kMaxSeriesPoints points in increasing order, and counts
//    no row twice; FloorMinuteBucket never lands after the text it was given.
//
// Input lines: the query string ("from=...&to=...&limit=..."), the extent's first and last
// minute buckets, then bucket texts of rollup rows (one event each).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz/fuzz_support.h"
#include "query/rollup_reading.h"
#include "serve/api_params.h"
#include "serve/http_request.h"

using namespace shopstream;
using namespace shopstream::query;
using shopstream::fuzz::Fail;

namespace {

std::vector<std::string_view> Lines(std::string_view text) {
  std::vector<std::string_view> lines;
  while (!text.empty() && lines.size() < 64) {
    size_t nl = text.find('\n');
    lines.push_back(text.substr(0, nl));
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
  return lines;
}

void CheckFloor(std::string_view text) {
  auto floor = FloorMinuteBucket(text);
  if (!floor.ok()) return;
  if (*floor < kFirstMinute || *floor >= kEndOfTime) Fail("FloorMinuteBucket out of range");
  if (*floor != kFirstMinute && FormatMinuteBucket(*floor) > text) {
    Fail("FloorMinuteBucket lands after its text");
  }
  if (ParseMinuteBucket(text).ok() && FormatMinuteBucket(*floor) != text) {
    Fail("FloorMinuteBucket changes a real minute");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto lines = Lines(std::string_view(reinterpret_cast<const char*>(data), size));
  if (lines.empty()) return 0;
  auto query = serve::ParseQuery(lines[0]);
  if (!query) return 0;
  serve::HttpRequest request;
  request.query = std::move(*query);

  auto limit = serve::LimitParam(request);
  if (limit.ok() && (*limit < 1 || *limit > serve::kMaxLimit)) Fail("a limit out of range");
  auto range = serve::RangeParams(request);
  if (!range.ok()) {
    if (range.status().code() != StatusCode::kInvalidArgument) Fail("not InvalidArgument");
    return 0;
  }
  if (range->from && range->to && *range->from >= *range->to) Fail("an empty range");
  for (auto g : {Granularity::kMinute, Granularity::kHour, Granularity::kDay}) {
    BucketBounds b = BoundsFor(*range, g);
    if (!(b.low < b.high)) Fail("bucket bounds select nothing");
  }
  for (const RollupPart& part : SplitRange(*range, Granularity::kDay)) {
    if (!(part.bounds.low < part.bounds.high)) Fail("a split part selects nothing");
  }

  DataExtent extent;
  if (lines.size() >= 3 && !lines[1].empty() && !lines[2].empty()) {
    extent = {std::string(lines[1]), std::string(lines[2])};
    CheckFloor(lines[1]);
    CheckFloor(lines[2]);
    (void)CoversAll(*range, extent);
  }
  auto span = SeriesSpanFor(*range, extent);
  if (!span.ok() || !span->has_value()) return 0;
  const SeriesSpan& s = **span;
  if (s.start >= s.end || s.step < 1) Fail("a series span");

  std::set<std::string> keys;
  for (size_t i = 3; i < lines.size(); ++i) keys.emplace(lines[i].substr(0, s.key_length));
  std::vector<TimePoint> found;
  for (const std::string& key : keys) found.push_back({key, {1, 1, 0, 0, 0}});
  TimeSeries series = FillSeries(s, found);
  if (series.points.empty()) Fail("a series without points");
  if (static_cast<int64_t>(series.points.size()) > kMaxSeriesPoints) Fail("too many points");
  int64_t events = 0;
  for (size_t i = 0; i < series.points.size(); ++i) {
    if (i > 0 && !(series.points[i - 1].bucket < series.points[i].bucket)) {
      Fail("points out of order");
    }
    events += series.points[i].values.events;
  }
  if (events > static_cast<int64_t>(found.size())) Fail("a row counted twice");
  return 0;
}
