// One write-back of held people sketches, spread over as many transactions as it takes: each
// commit writes a bounded piece (a few rounds of rows) beside its batch, so that no batch waits
// for a whole write-back (seconds on a server when the day's brands are dense). Exactly once:
// the people offsets it reaches are written only with its last piece; a piece lost to a crash or
// a rollback is written again, and a sketch merged twice is unchanged (a union).
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <set>
#include <string>

#include "common/offsets.h"
#include "common/status.h"
#include "event/people.h"
#include "sql/people_writer.h"
#include "sql/sql_connection.h"

namespace shopstream::sql {

class PeopleWriteBack {
 public:
  using Clock = std::chrono::steady_clock;
  // Where the write-back stands: the table being written (kPeopleLevels: all are) and how many
  // of its rows are.
  struct Position {
    size_t level = 0;
    size_t written = 0;
  };

  // `offsets`: per stream and partition, how far `people` reaches; `resets`: the partitions
  // whose stored people offset is replaced rather than moved forward.
  PeopleWriteBack(HeldPeople people, std::map<std::string, OffsetMap> offsets,
                  std::map<std::string, std::set<int32_t>> resets);

  // In the open transaction: merges rows from `*at` on into the people tables, a round at a
  // time, until all are written or `until` has passed (at least one round; none: all of them).
  // `*at` follows what was written; Advance() keeps it once the transaction committed.
  Status WriteTables(SqlConnection& conn, PeopleWriter& writer, Position* at,
                     std::optional<Clock::time_point> until);
  void Advance(Position at) { at_ = at; }
  Position position() const { return at_; }
  static bool TablesDone(Position at) { return at.level >= kPeopleLevels; }

  // A batch committed meanwhile reset these partitions' people offsets (a recreated topic):
  // this write-back's offsets for them, from before the reset, must not move them again.
  void ForgetOffsets(const std::string& stream, const OffsetMap& reset);

  const std::map<std::string, OffsetMap>& offsets() const { return offsets_; }
  const std::map<std::string, std::set<int32_t>>& resets() const { return resets_; }

 private:
  HeldPeople people_;
  std::map<std::string, OffsetMap> offsets_;
  std::map<std::string, std::set<int32_t>> resets_;
  Position at_;
  // One table's rows, made from people_ when it is reached (one in memory at a time).
  PeopleSketchRows rows_;
  size_t rows_level_ = kPeopleLevels;
  // The row after the last one written, and its index: the next piece starts there. In the
  // day's table the held brand rows follow rows_, made into sketches a round at a time (a
  // write-back's brand rows as sketches all at once weighed more than the held rows).
  PeopleSketchRows::const_iterator next_;
  size_t next_index_ = 0;
  decltype(HeldPeople::by_day_brand)::const_iterator next_brand_;
  size_t next_brand_index_ = 0;
};

}  // namespace shopstream::sql
