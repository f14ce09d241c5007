#include "event/cross_filter.h"

namespace shopstream {
namespace {

void AddTo(Totals& into, const Totals& t) {
  into.events += t.events;
  into.revenue += t.revenue;
}

}  // namespace

void CrossFilterDelta::Add(const CleanedEvent& row) {
  const std::string_view time = row.event_time;
  Totals& t = AtViews(by_brand_hour_product, std::string_view(row.brand), time.substr(0, 13),
                      std::string_view(row.department), std::string_view(row.product),
                      std::string_view(row.event_type));
  t.events += 1;
  t.revenue += row.revenue;
}

CoarseCrossFilterDelta Coarsen(const CrossFilterDelta& delta) {
  CoarseCrossFilterDelta out;
  for (const auto& [key, t] : delta.by_brand_hour_product) {
    const auto& [brand, hour, department, product, event_type] = key;
    AddTo(out.by_department_hour_brand[{department, hour, brand, event_type}], t);
    AddTo(out.by_brand_product[{brand, department, product, event_type}], t);
  }
  return out;
}

}  // namespace shopstream
