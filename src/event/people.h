// People: who the events came from. Per rollup bucket and scope, mergeable sketches
// (sketch/hyperloglog.h) of the distinct users and sessions, and of the sessions that viewed,
// carted and bought, so that the dashboard counts unique users, sessions and conversion per
// session over any range by merging buckets. Pure accumulation; stores persist it.
//
// Tables (same names and columns in every processed store; sketches as stored bytes):
//   people_minute(scope, brand, department, bucket 'YYYY-MM-DD HH:MM', users, sessions,
//                 viewing, carting, buying)
//   people_hour(... bucket 'YYYY-MM-DD HH' ...), people_day(... bucket 'YYYY-MM-DD' ...)
//   people_all(scope, brand, department, users, ...)                 all time
// Scopes: "all" (brand and department ''), "department" (brand ''), and, in people_day only,
// "brand": a brand within one department (the event's), so that a brand's people are the
// union of its departments' rows and a brand with a department picked is one row. Brands are
// kept by day: a brand appears in most batches, and a row per brand and hour or for all time
// would be read and written back by nearly every batch.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include "event/event.h"
#include "event/view_keys.h"
#include "sketch/hyperloglog.h"

namespace shopstream {

inline constexpr const char* kScopeAll = "all";
inline constexpr const char* kScopeDepartment = "department";
inline constexpr const char* kScopeBrand = "brand";

// Sketch entries (sketch::SparseEntry) of one group's events, duplicates allowed.
struct PeopleEntries {
  std::vector<uint32_t> users;
  std::vector<uint32_t> sessions;
  std::vector<uint32_t> viewing;  // sessions with a view
  std::vector<uint32_t> carting;  // sessions with a cart
  std::vector<uint32_t> buying;   // sessions with a purchase

  void Add(const CleanedEvent& row);
  void Append(const PeopleEntries& other);
};

// The five sketches of one row of a people table.
struct PeopleSketches {
  sketch::HyperLogLog users, sessions, viewing, carting, buying;

  void Add(PeopleEntries entries);
  bool Merge(const PeopleSketches& other);  // whether any of the five changed
  size_t heap_bytes() const;
  bool operator==(const PeopleSketches&) const = default;
};

// A row's key, in the tables' key order: scope, brand, department and bucket ('' in people_all).
using PeopleKey = std::tuple<std::string, std::string, std::string, std::string>;
using PeopleRows = std::map<PeopleKey, PeopleEntries>;

struct PeopleDelta {
  // (minute, department)
  std::map<std::pair<std::string, std::string>, PeopleEntries, ViewLess> by_minute;
  // (day, brand, department)
  std::map<std::tuple<std::string, std::string, std::string>, PeopleEntries, ViewLess> by_day_brand;

  void Add(const CleanedEvent& row);
  bool empty() const { return by_minute.empty(); }
};

// A delta's rows for each people table, in every scope the table keeps.
struct PeopleLevels {
  PeopleRows minute, hour, day, all;
};
PeopleLevels Spread(const PeopleDelta& delta);

// The sketches of rows of each people table.
using PeopleSketchRows = std::map<PeopleKey, PeopleSketches>;
struct PeopleSketchLevels {
  PeopleSketchRows minute, hour, day, all;
};

// A held brand row's five sets, compact while they are small. A batch holds thousands of brand
// rows of a few people each, and as five sketch objects (a map node of 400 bytes a row) they
// filled the write-back's memory bound after every batch: each brand row of the day was then
// read, merged and written back with every batch. Here the five sets are sorted entry lists in
// one vector until one of them is as large as a sparse sketch may be; then sketches.
class HeldBrandPeople {
 public:
  HeldBrandPeople() = default;
  HeldBrandPeople(const HeldBrandPeople& other);
  HeldBrandPeople& operator=(const HeldBrandPeople& other);
  HeldBrandPeople(HeldBrandPeople&&) noexcept = default;
  HeldBrandPeople& operator=(HeldBrandPeople&&) noexcept = default;

  void Add(PeopleEntries entries);
  // The same sketches as adding every entry to PeopleSketches would give.
  PeopleSketches Sketches() const;
  size_t heap_bytes() const;

 private:
  static constexpr size_t kSets = 5;    // users, sessions, viewing, carting, buying
  std::vector<uint32_t> entries_;       // the sets one after the other, each sorted, one per index
  std::array<uint32_t, kSets> ends_{};  // where each set ends in entries_
  std::unique_ptr<PeopleSketches> sketches_;  // instead, once a set has grown large
};

// The sketches of the finest rows (minute by department, day by brand), as a processor holds
// them between write-backs: the union of the batches added since the last one. The coarser
// rows are merged from them once, when written back.
struct HeldPeople {
  std::map<std::pair<std::string, std::string>, PeopleSketches, ViewLess> by_minute;
  std::map<std::tuple<std::string, std::string, std::string>, HeldBrandPeople, ViewLess>
      by_day_brand;

  void Add(PeopleDelta delta);  // the entries are moved out
  size_t rows() const { return by_minute.size() + by_day_brand.size(); }
  bool empty() const { return by_minute.empty() && by_day_brand.empty(); }
  void clear() { *this = {}; }
  // Roughly the heap bytes held: the sketches and a map node per row.
  size_t heap_bytes() const;
};
// One people table's rows (0 minute, 1 hour, 2 day, 3 all), merged from the held ones: a
// write-back makes and writes one table at a time, so that only one is in memory at once. The
// day's brand rows only `with_brands`: a write-back makes those a round at a time (BrandRow).
inline constexpr size_t kPeopleLevels = 4;
inline constexpr size_t kBrandLevel = 2;
PeopleSketchRows SpreadLevel(const HeldPeople& held, size_t level, bool with_brands = true);
// A held brand row as a row of people_day.
std::pair<PeopleKey, PeopleSketches> BrandRow(
    const std::pair<const std::tuple<std::string, std::string, std::string>, HeldBrandPeople>& row);
PeopleSketchLevels Spread(const HeldPeople& held);

}  // namespace shopstream
