// The interfaces of the stores: a RawStore keeps events as they arrived (Cassandra or SQLite),
// a ProcessedStore keeps cleaned rows, rollups, dead letters and the offsets of record in one
// transaction (SQLite, MySQL/MariaDB or PostgreSQL), and people sketches written back every few
// seconds. Connectors know nothing of the pipeline.
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
  // The reason's stable code and field (event/contract.h ReasonCode), given where the refusal
  // was decided; stored as they are ("other" when empty), never read back from `reason`.
  std::string code;
  std::string field;
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

// Where a dead letter came from: its key in the dead letters table.
struct DeadLetterKey {
  std::string stream;
  int32_t partition = 0;
  int64_t offset = 0;
};

// What a replay (`shopstream deadletters replay`) learned of one dead letter of the batch's
// stream: stored (reason empty; its row, if its id is new, is among the batch's rows), or
// failed again with `reason`.
struct ReplayOutcome {
  int32_t partition = 0;
  int64_t offset = 0;
  std::string reason;  // empty: stored
  std::string code;    // of a failure, as DeadLetter::code
  std::string field;
};

// Everything one micro-batch commits to the processed store, atomically.
struct ProcessedBatch {
  std::string stream;  // MessageSource::stream_name()
  std::vector<CleanedEvent> rows;
  std::vector<DeadLetter> dead_letters;
  OffsetMap next_offsets;  // per partition, the offset after the last message of the batch
  // Per partition, the offset of the batch's first message (or where a partition without
  // messages starts): where a replay must begin to see this batch again.
  OffsetMap first_offsets;
  // Offsets that replace the stored ones even when smaller, before next_offsets apply: a
  // recreated topic read again from its start (MessageSource::TakeResets).
  OffsetMap reset_offsets;
  // The id of the stream's incarnation (MessageSource::stream_id(), a Kafka topic's id), kept
  // beside the offsets when not empty so that a recreated topic is told from the old one.
  std::string stream_id;
  // For the processor_stats table that /metrics and the dashboard read.
  double batch_millis = 0;  // time from the batch's first poll to its commit
  int64_t lag = -1;         // messages waiting on the bus after this batch, -1 if unknown
  // A replay's batch: the dead letters it marks, in the same transaction as its rows. Stored
  // ones become 'replayed' (with `replay_policy`, the choices that let them pass); failed ones
  // keep the new reason, count the try, and are 'quarantined' once they were tried
  // `max_replays` times. Only dead letters still 'open' are marked.
  std::vector<ReplayOutcome> replayed;
  std::string replay_policy;
  int max_replays = 3;
};

// One change of an alert's state (alert/evaluator.h), as the alerts table keeps it.
struct AlertRecord {
  std::string rule;
  std::string state;   // "fired" or "resolved"
  std::string at;      // stream time, "YYYY-MM-DD HH:MM:SS" (UTC)
  std::string metric;  // events, views, carts, purchases, revenue, dead_letters
  double value = 0;    // the window's value when it changed
  double threshold = 0;
  double baseline = 0;  // the baseline's mean per window (dead letters: messages in the window)
};

// A ten-second bucket of rollup_10s: its start ("YYYY-MM-DD HH:MM:S") and its counts by type.
struct TenSecondCounts {
  std::string bucket;
  std::string event_type;
  int64_t events = 0;
  double revenue = 0;
};

// A minute of a department in rollup_minute: its start ("YYYY-MM-DD HH:MM") and counts by type.
struct DepartmentMinuteCounts {
  std::string bucket;
  std::string department;
  std::string event_type;
  int64_t events = 0;
  double revenue = 0;
};

// What one commit stored. Rows whose id was stored before (a batch read again after a
// rebalance or a restart) are not counted: the processor's totals are what the store holds.
struct CommitCounts {
  int64_t new_rows = 0;
};

class ProcessedStore {
 public:
  virtual ~ProcessedStore() = default;
  virtual Status Init() = 0;
  // In one transaction: inserts rows whose id is new (an id seen before is skipped, so that
  // rollups count each event once), adds the new rows to the rollups, stores dead letters and
  // the next offsets. All or nothing. A stored offset never moves backwards (but for
  // reset_offsets): a member that lost a partition mid-batch may commit an older offset after
  // the new owner moved on. `counts`, when given, receives what was stored (on success).
  virtual Status Commit(const ProcessedBatch& batch, CommitCounts* counts) = 0;
  Status Commit(const ProcessedBatch& batch) { return Commit(batch, nullptr); }
  // The id stored with the stream's offsets (ProcessedBatch::stream_id); "" when none is.
  virtual Result<std::string> LoadStreamId(const std::string& stream) { return std::string(); }
  // Where to resume a stream, for the given partitions (all when empty): the offsets of record,
  // or earlier where what a store keeps apart from the batches (people sketches) has not
  // caught up with them yet; a batch read again there changes only what it lacks.
  virtual Result<OffsetMap> LoadOffsets(const std::string& stream,
                                        const std::vector<int32_t>& partitions) = 0;
  // Writes back what a store holds in memory between batches (people sketches, which the SQL
  // stores merge every few seconds instead of in every batch). Called before stopping; a store
  // without such state does nothing.
  virtual Status Flush() { return Status::Ok(); }
  // A piece of the same, of about the store's piece of work per commit: called while the stream
  // is quiet, so that a message arriving meanwhile waits for one piece, not a whole write-back.
  // True once nothing is left to write back.
  virtual Result<bool> FlushPiece() { return true; }

  // Alerts (pipeline/alert_stage.h). The ten-second buckets from `first_bucket` up to
  // `end_bucket` (excluded; "" for no end), each department's minutes likewise, the alert changes
  // to keep (a change already kept is kept once), and each rule's latest change. Stores without
  // them say NotFound, and the processor runs without alerts.
  virtual Result<std::vector<TenSecondCounts>> ReadTenSecondCounts(const std::string& first_bucket,
                                                                   const std::string& end_bucket) {
    (void)first_bucket, (void)end_bucket;
    return Status::NotFound("this store keeps no ten-second rollup");
  }
  virtual Result<std::vector<DepartmentMinuteCounts>> ReadDepartmentMinutes(
      const std::string& first_bucket, const std::string& end_bucket) {
    (void)first_bucket, (void)end_bucket;
    return Status::NotFound("this store keeps no minute rollup");
  }
  // The latest change of each rule (the alerts table's rule column), both when a rule fired and
  // resolved at one stream time.
  virtual Result<std::vector<AlertRecord>> LoadLatestAlerts() {
    return Status::NotFound("this store keeps no alerts");
  }
  virtual Status RecordAlerts(const std::vector<AlertRecord>& changes) {
    (void)changes;
    return Status::NotFound("this store keeps no alerts");
  }
};

}  // namespace shopstream::store
