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

}  // namespace shopstream
