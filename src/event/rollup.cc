#include "event/rollup.h"

#include <array>
#include <string_view>

#include "event/hour_blocks.h"

namespace shopstream {
namespace {

void AddTo(Totals& totals, double revenue) {
  totals.events += 1;
  totals.revenue += revenue;
}

}  // namespace

void WideTotals::Add(std::string_view event_type, const Totals& totals) {
  events += totals.events;
  revenue += totals.revenue;
  if (event_type == "view") {
    views += totals.events;
  } else if (event_type == "cart") {
    carts += totals.events;
  } else if (event_type == "purchase") {
    purchases += totals.events;
  }
}

void RollupDelta::Add(const CleanedEvent& row) {
  const std::string_view time = row.event_time;
  const std::string_view ten_seconds = time.substr(0, 18);  // "YYYY-MM-DD HH:MM:S"
  const std::string_view minute = time.substr(0, 16);       // "YYYY-MM-DD HH:MM"
  const std::string_view hour = time.substr(0, 13);         // "YYYY-MM-DD HH"
  const std::string_view type = row.event_type, department = row.department;
  AddTo(AtViews(by_minute, minute, type, department), row.revenue);
  AddTo(AtViews(by_hour_brand, hour, std::string_view(row.brand), type), row.revenue);
  AddTo(AtViews(by_hour_product, hour, department, std::string_view(row.product), type),
        row.revenue);
  AddTo(AtViews(by_ten_seconds, ten_seconds, type), row.revenue);
}

CoarseRollupDelta Coarsen(const RollupDelta& delta) {
  CoarseRollupDelta out;
  auto add = [](Totals& into, const Totals& t) {
    into.events += t.events;
    into.revenue += t.revenue;
  };
  for (const auto& [key, t] : delta.by_minute) {
    const auto& [minute, event_type, department] = key;
    add(out.by_hour[{minute.substr(0, 13), event_type, department}], t);
    add(out.by_day[{minute.substr(0, 10), event_type, department}], t);
  }
  // The keys come hour by hour: each hour's blocks are found once.
  std::string blocks_of;
  std::array<std::string, kHourBlockSpans.size()> blocks;
  std::array<std::string, kDayBlockSpans.size()> day_blocks;
  for (const auto& [key, t] : delta.by_hour_brand) {
    const auto& [hour, brand, event_type] = key;
    add(out.by_brand[{brand, event_type}], t);
    if (blocks_of != hour || blocks_of.empty()) {
      blocks_of = hour;
      for (size_t i = 0; i < blocks.size(); ++i) blocks[i] = HourBlockOf(hour, kHourBlockSpans[i]);
      for (size_t i = 0; i < day_blocks.size(); ++i) {
        day_blocks[i] = HourBlockOf(hour, kDayBlockSpans[i]);
      }
    }
    for (size_t i = 0; i < blocks.size(); ++i) {
      out.by_block_brand[{std::string(HourBlockSpanText(kHourBlockSpans[i])), blocks[i], brand}]
          .Add(event_type, t);
    }
    for (size_t i = 0; i < day_blocks.size(); ++i) {
      out.by_days_brand[{std::string(HourBlockSpanText(kDayBlockSpans[i])), day_blocks[i], brand}]
          .Add(event_type, t);
    }
  }
  for (const auto& [key, t] : delta.by_hour_product) {
    const auto& [hour, department, product, event_type] = key;
    add(out.by_product[{department, product, event_type}], t);
  }
  return out;
}

}  // namespace shopstream
