#include "event/rollup.h"

namespace shopstream {

void RollupDelta::Add(const CleanedEvent& row) {
  const std::string minute = row.event_time.substr(0, 16);  // "YYYY-MM-DD HH:MM"
  const std::string hour = row.event_time.substr(0, 13);    // "YYYY-MM-DD HH"
  auto add = [&](Totals& t) {
    t.events += 1;
    t.revenue += row.revenue;
  };
  add(by_minute[{minute, row.event_type, row.department}]);
  add(by_hour_brand[{hour, row.brand, row.event_type}]);
  add(by_hour_product[{hour, row.department, row.product, row.event_type}]);
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
  for (const auto& [key, t] : delta.by_hour_brand) {
    const auto& [hour, brand, event_type] = key;
    add(out.by_brand[{brand, event_type}], t);
  }
  for (const auto& [key, t] : delta.by_hour_product) {
    const auto& [hour, department, product, event_type] = key;
    add(out.by_product[{department, product, event_type}], t);
  }
  return out;
}

}  // namespace shopstream
