// The rollups behind the dashboard's cross-filters (a department or a brand picked, and every
// chart following it), kept in the same transaction as the rollups of event/rollup.h. Brands
// are read by hour, as rollup_hour_brand is.
//
// Tables (same names and columns in every processed store):
//   rollup_hour_brand_product(brand, bucket 'YYYY-MM-DD HH', department, product, event_type,
//                             events, revenue)       a brand picked: all its figures
//   rollup_hour_department_brand(department, bucket, brand, event_type, events, revenue)
//                                                     a department picked: its brands
//   rollup_brand_product(brand, department, product, event_type, events, revenue)  all time
// Each leads with the column a filter fixes, so that a filtered read is one index range.
#pragma once

#include <map>
#include <string>
#include <tuple>

#include "event/event.h"
#include "event/rollup.h"

namespace shopstream {

struct CrossFilterDelta {
  // (brand, hour, department, product, event_type)
  std::map<std::tuple<std::string, std::string, std::string, std::string, std::string>, Totals,
           ViewLess>
      by_brand_hour_product;

  void Add(const CleanedEvent& row);
};

// The other two tables' share of a delta, summed once per batch.
struct CoarseCrossFilterDelta {
  // (department, hour, brand, event_type)
  std::map<std::tuple<std::string, std::string, std::string, std::string>, Totals>
      by_department_hour_brand;
  // (brand, department, product, event_type)
  std::map<std::tuple<std::string, std::string, std::string, std::string>, Totals> by_brand_product;
};
CoarseCrossFilterDelta Coarsen(const CrossFilterDelta& delta);

}  // namespace shopstream
