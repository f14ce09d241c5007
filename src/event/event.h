// The event model of the 2019-Nov data set: the CSV's nine columns plus the `id` that the
// producer gives each message, and the cleaned row that the processed store keeps.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace shopstream {

// One behaviour event as it travels on the bus (the seed producer's JSON message) and as the
// raw store keeps it. Optional fields are the ones the data set leaves empty; the seed's
// Python producer writes them as the bare token NaN.
struct Event {
  std::string event_time;  // as given: "2019-11-08 08:14:53 UTC" or "2022-05-01 18:59:00.123456"
  std::string event_type;  // "view", "cart", "purchase"
  int64_t product_id = 0;
  int64_t category_id = 0;
  std::optional<std::string> category_code;  // e.g. "electronics.audio.headphone"
  std::optional<std::string> brand;
  double price = 0;
  int64_t user_id = 0;
  std::optional<std::string> user_session;
  std::string id;  // UUID text, unique per message; empty for a CSV row not yet produced

  bool operator==(const Event&) const = default;
};

// The seed's cleaned row (MySQL table `operations`).
struct CleanedEvent {
  std::string id;
  std::string event_time;  // "YYYY-MM-DD HH:MM:SS", a DATETIME
  std::string event_type;
  std::string department;  // first part of category_code, or "other"
  std::string product;     // last part of category_code, or "other"
  std::string brand;       // or "other"
  double price = 0;        // stored as FLOAT by MySQL, as REAL by SQLite
  double revenue = 0;      // price for purchases, else 0
  // Not columns of the seed's table, which drops user_id and user_session: who did it, for the
  // counts of distinct users and sessions that the processed store keeps beside the rollups.
  // Stable hashes (sketch/hash64.h), so that carrying them costs no allocation.
  uint64_t user_hash = 0;
  uint64_t session_hash = 0;
  bool has_session = false;  // false: the event had no user_session
  // Not a column either: the product a session funnel follows (event/session_funnel.h).
  int64_t product_id = 0;

  bool operator==(const CleanedEvent&) const = default;
};

}  // namespace shopstream
