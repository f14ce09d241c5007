// Rollups: per-bucket totals that the processor keeps in the same transaction as the rows,
// so that the dashboard reads buckets, not events. Pure accumulation; stores persist it.
//
// Tables (same names and columns in every processed store):
//   rollup_minute(bucket 'YYYY-MM-DD HH:MM', event_type, department, events, revenue)
//   rollup_10s(bucket 'YYYY-MM-DD HH:MM:S', event_type, events, revenue)   ten seconds, the
//     first 18 characters of their times; no department, so that a bucket is at most three
//     rows (the live pulse and the time series of ranges up to an hour read it)
//   rollup_hour_brand(bucket 'YYYY-MM-DD HH', brand, event_type, events, revenue)
//   rollup_hour_product(bucket 'YYYY-MM-DD HH', department, product, event_type, events, revenue)
// and coarser copies, so that a wide range reads few rows (hours instead of minutes, one row
// per brand instead of one per brand and hour):
//   rollup_hour(bucket 'YYYY-MM-DD HH', event_type, department, events, revenue)
//   rollup_day(bucket 'YYYY-MM-DD', event_type, department, events, revenue)
//   rollup_brand(brand, event_type, events, revenue)                 all time
//   rollup_product(department, product, event_type, events, revenue) all time
//   rollup_block_brand_wide(hours '3'|'12'|'24', bucket 'YYYY-MM-DD HH', brand, events, views,
//     carts, purchases, revenue)   rollup_hour_brand summed over day-aligned blocks of hours
//     (event/hour_blocks.h), one row per brand and block: a week's ranking groups a third of
//     the rows it would with a row per event type
//   rollup_days_brand_wide(hours '48'|'96', bucket 'YYYY-MM-DD 00', brand, events, views, carts,
//     purchases, revenue)   the same over blocks of two and four days (event/hour_blocks.h)
// Buckets are taken from the cleaned event_time.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <tuple>

#include "event/event.h"
#include "event/view_keys.h"

namespace shopstream {

struct Totals {
  int64_t events = 0;
  double revenue = 0;
};

// Totals with each event type's count beside them: a row of a wide rollup.
struct WideTotals {
  int64_t events = 0;
  int64_t views = 0;
  int64_t carts = 0;
  int64_t purchases = 0;
  double revenue = 0;

  // `totals` of the event type `event_type` ("view", "cart", "purchase"; any other counts in
  // events alone).
  void Add(std::string_view event_type, const Totals& totals);
};

struct RollupDelta {
  // Looked up by views (ViewLess), so that adding a row to a bucket it has seen allocates
  // nothing.
  // (minute, event_type, department)
  std::map<std::tuple<std::string, std::string, std::string>, Totals, ViewLess> by_minute;
  // (hour, brand, event_type)
  std::map<std::tuple<std::string, std::string, std::string>, Totals, ViewLess> by_hour_brand;
  // (hour, department, product, event_type)
  std::map<std::tuple<std::string, std::string, std::string, std::string>, Totals, ViewLess>
      by_hour_product;
  // (ten seconds, event_type)
  std::map<std::tuple<std::string, std::string>, Totals, ViewLess> by_ten_seconds;

  void Add(const CleanedEvent& row);
  bool empty() const { return by_minute.empty(); }
};

// The coarse tables' share of a delta, summed from its fine maps once per batch rather than
// once per event.
struct CoarseRollupDelta {
  // (hour, event_type, department)
  std::map<std::tuple<std::string, std::string, std::string>, Totals> by_hour;
  // (day, event_type, department)
  std::map<std::tuple<std::string, std::string, std::string>, Totals> by_day;
  // (brand, event_type)
  std::map<std::tuple<std::string, std::string>, Totals> by_brand;
  // (department, product, event_type)
  std::map<std::tuple<std::string, std::string, std::string>, Totals> by_product;
  // (span, block, brand): rollup_block_brand_wide, event/hour_blocks.h
  std::map<std::tuple<std::string, std::string, std::string>, WideTotals> by_block_brand;
  // The same for the blocks of whole days: rollup_days_brand_wide
  std::map<std::tuple<std::string, std::string, std::string>, WideTotals> by_days_brand;
};
CoarseRollupDelta Coarsen(const RollupDelta& delta);

}  // namespace shopstream
