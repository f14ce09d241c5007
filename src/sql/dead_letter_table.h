// The dead letters of a processed store as `shopstream deadletters` reads and purges them: counts
// by code, field, stream and state; the letters themselves by filter, in key order, a page at a
// time; one by its provenance. Replaying goes through the processed store (ProcessedBatch's
// replayed), so that rows and marks commit together.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "sql/sql_database.h"
#include "store/store.h"

namespace shopstream::sql {

struct StoredDeadLetter {
  store::DeadLetterKey key;
  std::string reason, code, field, state;
  int64_t replays = 0;
  std::string recorded_at, replayed_at, policy;  // UTC "YYYY-MM-DD HH:MM:SS"; "" for NULL
  std::string payload;
};

struct DeadLetterGroup {
  std::string code, field, stream, state;
  int64_t count = 0;
  int64_t first_offset = 0, last_offset = 0;
  std::string first_time, last_time;  // recorded_at
};

struct DeadLetterFilter {
  std::string code;         // "" for any
  std::string since;        // recorded_at >= since, "" for any
  std::string before;       // recorded_at < before, "" for any
  std::string state;        // "" for any
  bool replayable = false;  // leave out what has no message to replay (bus.retention)
};

class DeadLetterTable {
 public:
  // Connects; NotFound when the store has no dead letters table (process never ran on it).
  static Result<std::unique_ptr<DeadLetterTable>> Open(std::unique_ptr<SqlDatabase> database);

  // True when the table predates dead letter codes (dead_letter_upgrade.h): it must be upgraded,
  // by the processed store's Init, before anything here reads it.
  bool needs_upgrade() const { return needs_upgrade_; }

  Result<std::vector<DeadLetterGroup>> Groups();
  // Up to `limit` letters matching `filter` after `after` (from the first when null), in key
  // order (stream, partition, offset).
  Result<std::vector<StoredDeadLetter>> Page(const DeadLetterFilter& filter,
                                             const store::DeadLetterKey* after, int64_t limit);
  Result<int64_t> Count(const DeadLetterFilter& filter);
  Result<std::optional<StoredDeadLetter>> Find(const store::DeadLetterKey& key);
  // Deletes what `filter` matches (its `before` set); returns how many.
  Result<int64_t> Delete(const DeadLetterFilter& filter);

  const std::string& describe() const { return database_->describe(); }

 private:
  DeadLetterTable(std::unique_ptr<SqlDatabase> database, std::unique_ptr<SqlConnection> conn,
                  std::string table, bool needs_upgrade);
  // " WHERE ..." for `filter` (and `after`), its values appended to `values`.
  std::string Where(const DeadLetterFilter& filter, const store::DeadLetterKey* after,
                    std::vector<SqlValue>* values) const;
  Result<std::vector<StoredDeadLetter>> Select(const std::string& where,
                                               const std::vector<SqlValue>& values,
                                               const std::string& tail);

  std::unique_ptr<SqlDatabase> database_;
  std::unique_ptr<SqlConnection> conn_;
  std::string table_;  // quoted
  bool needs_upgrade_;
};

}  // namespace shopstream::sql
