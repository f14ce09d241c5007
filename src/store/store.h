// The interfaces of the stores: a RawStore keeps events as they arrived (Cassandra or SQLite),
// a ProcessedStore keeps cleaned rows, rollups, dead letters and the offsets of record in one
// transaction (MySQL or SQLite). Connectors know nothing of the pipeline.
#pragma once

#include <string>
#include <vector>

#include "common/offsets.h"
#include "common/status.h"
#include "event/event.h"

namespace shopstream::store {

// A message that could not be turned into a row, kept with where it came from and why.
struct DeadLetter {
  int32_t partition = 0;
  int64_t offset = 0;
  std::string reason;
  std::string payload;  // truncated by the store if very large
};

class RawStore {
 public:
  virtual ~RawStore() = default;
  // Creates the keyspace/tables if missing.
  virtual Status Init() = 0;
  // Upserts by id: writing the same events twice leaves one row each, and of two messages with
  // one id the later is kept (in `events`, or in a later call), as Cassandra's INSERT does.
  // Retryable on outages; RefusedValue when the store cannot hold a value of some event.
  virtual Status Write(const std::vector<Event>& events) = 0;
};

// Everything one micro-batch commits to the processed store, atomically.
struct ProcessedBatch {
  std::string stream;  // MessageSource::stream_name()
  std::vector<CleanedEvent> rows;
  std::vector<DeadLetter> dead_letters;
  OffsetMap next_offsets;  // per partition, the offset after the last message of the batch
  // Offsets that replace the stored ones even when smaller, before next_offsets apply: a
  // recreated topic read again from its start (MessageSource::TakeResets).
  OffsetMap reset_offsets;
  // For the processor_stats table that /metrics and the dashboard read.
  double batch_millis = 0;  // time from the batch's first poll to its commit
  int64_t lag = -1;         // messages waiting on the bus after this batch, -1 if unknown
};

class ProcessedStore {
 public:
  virtual ~ProcessedStore() = default;
  virtual Status Init() = 0;
  // In one transaction: inserts rows whose id is new (an id seen before is skipped, so that
  // rollups count each event once), adds the new rows to the rollups, stores dead letters and
  // the next offsets. All or nothing. A stored offset never moves backwards (but for
  // reset_offsets): a member that lost a partition mid-batch may commit an older offset after
  // the new owner moved on.
  virtual Status Commit(const ProcessedBatch& batch) = 0;
  // The offsets of record for a stream, for the given partitions (all when empty).
  virtual Result<OffsetMap> LoadOffsets(const std::string& stream,
                                        const std::vector<int32_t>& partitions) = 0;
};

}  // namespace shopstream::store
