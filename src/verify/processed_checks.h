// The checks of `verify` that read a processed store's own tables: that it is a shopstream
// store at all, its dead letters over a range of offsets, and its rollups against a recount
// of its rows. The database does the counting (GROUP BY, joins), so the client holds only
// totals, whatever the number of rows.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>

#include "common/status.h"
#include "sql/sql_database.h"

namespace shopstream::verify {

struct RollupCheck {
  int64_t rows = 0;            // rows in the rows table
  int64_t tables_checked = 0;  // rollup tables whose totals were compared
  int64_t tables_off = 0;      // rollup tables whose events or revenue differ from the rows
  int64_t groups_checked = 0;  // (hour, event type, department) groups recounted
  int64_t groups_off = 0;      // groups whose events differ from the recount
  int64_t overcounted = 0;     // events the hourly rollup counts beyond the rows
  int64_t undercounted = 0;    // rows the hourly rollup does not count
  bool ok() const { return tables_off == 0 && groups_off == 0; }
};

class ProcessedChecks {
 public:
  // InvalidArgument, naming the store, when it lacks shopstream's tables.
  static Result<std::unique_ptr<ProcessedChecks>> Open(std::shared_ptr<sql::SqlDatabase> db);

  struct DeadLetterSeen {
    std::string reason;
    bool replayed = false;  // stored since by `deadletters replay` (state 'replayed')
  };
  // Each dead letter of `stream` at offsets [first, last] of `partition`, by offset.
  Result<std::map<int64_t, DeadLetterSeen>> DeadLetters(const std::string& stream,
                                                        int32_t partition, int64_t first,
                                                        int64_t last);
  Result<RollupCheck> CheckRollups();

 private:
  ProcessedChecks(std::shared_ptr<sql::SqlDatabase> db, std::unique_ptr<sql::SqlConnection> conn)
      : db_(std::move(db)), conn_(std::move(conn)) {}
  Result<SqlRow> QueryOne(const std::string& sql, const std::string& what);

  std::shared_ptr<sql::SqlDatabase> db_;
  std::unique_ptr<sql::SqlConnection> conn_;
  std::unique_ptr<sql::SqlStatement> dead_letters_;
};

}  // namespace shopstream::verify
