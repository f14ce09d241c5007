// The embedded log: an append-only SQLite table of messages with offsets, for one machine.
// Durable across kill -9 (WAL, each Publish is one transaction) and readable by other
// processes while it is written. One partition (0); offsets start at 0 and have no gaps.
//
//   log(offset INTEGER PRIMARY KEY, payload BLOB NOT NULL, appended_us INTEGER)
//   log_meta(key TEXT PRIMARY KEY, value TEXT)   -- 'id': a UUID naming this log
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "bus/bus.h"
#include "common/status.h"

namespace shopstream::sqlite {

// `retain_messages` > 0 bounds the log like Kafka's retention: once the log holds about a
// tenth more than that, the oldest messages are deleted (SQLite reuses their pages, so the
// file stops growing). A reader that falls that far behind skips them, with a warning.
// sqlite:///PATH?retain=N sets it from a URI.
Result<std::unique_ptr<bus::Publisher>> OpenSqliteLogPublisher(const std::string& path,
                                                               int64_t retain_messages = 0);

// `start_latest`: partitions without stored offsets begin at the end of the log (the seed's
// startingOffsets=latest) instead of at offset 0. Never creates the log: until a publisher has
// created it, Poll waits (saying so once) and returns nothing; a file that is not a log is
// InvalidArgument on the first Poll.
Result<std::unique_ptr<bus::MessageSource>> OpenSqliteLogSource(const std::string& path,
                                                                bool start_latest);

// What `shopstream status` shows of a log: the stream name its offsets are stored under
// ("sqlite-log:ID") and its end offset (the next offset to be written, in partition 0).
struct SqliteLogEnd {
  std::string stream;
  int64_t end_offset = 0;
};
// Reads only. NotFound when there is no log at `path` yet; InvalidArgument for a file that is
// not a log (or a log without its id, which no reader has opened yet).
Result<SqliteLogEnd> ReadSqliteLogEnd(const std::string& path);

}  // namespace shopstream::sqlite
