// The two interfaces of a message bus: a Publisher that replay writes to, and a MessageSource
// that the processor reads batches from. Kafka and the embedded SQLite log implement both.
// Connectors know nothing of the pipeline; they move opaque payloads with positions.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "bus/message_batch.h"
#include "common/offsets.h"
#include "common/status.h"

namespace shopstream::bus {

class Publisher {
 public:
  virtual ~Publisher() = default;
  // Queues payloads for sending. May block when the connector's bounded queue is full
  // (backpressure). Returns a retryable Status when the bus is unreachable.
  virtual Status Publish(const std::vector<std::string>& payloads) = 0;
  // Waits until everything published so far is durable on the bus.
  virtual Status Flush() = 0;
  // Messages that could not be delivered after all retries (counted, reported).
  virtual int64_t delivery_errors() const { return 0; }
};

// Offsets [from, to) of a partition that the bus deleted (retention) before they were read.
struct OffsetGap {
  int32_t partition = 0;
  int64_t from = 0;
  int64_t to = 0;
};

class MessageSource {
 public:
  virtual ~MessageSource() = default;

  // Called on every (re)assignment of partitions, before any of their messages is returned;
  // returns where to resume for them (the offsets of record kept with the rows). Partitions
  // absent from the answer start at the source's default (earliest or latest).
  using AssignmentListener = std::function<OffsetMap(const std::vector<int32_t>& partitions)>;
  virtual void SetAssignmentListener(AssignmentListener listener) = 0;

  // Called when a rebalance takes partitions away, before another member may read them: a
  // consumer that keeps messages in memory until it stores them (the archive's open files)
  // drops what it holds of them. Sources without consumer groups never call it. It may be
  // called from Poll() and from the destructor (leaving the group): reset it to nullptr before
  // what it refers to goes away.
  using RevocationListener = std::function<void(const std::vector<int32_t>& partitions)>;
  virtual void SetRevocationListener(RevocationListener listener) {}

  // Appends up to `max_messages` messages to `out`, in offset order per partition, waiting at
  // most `timeout` for the first one. Appending nothing means nothing arrived in time. A batch
  // reused from one micro-batch to the next lets reading allocate nothing.
  virtual Status PollInto(size_t max_messages, std::chrono::milliseconds timeout,
                          MessageBatch* out) = 0;
  // The same into a new batch (tests, tools).
  Result<MessageBatch> Poll(size_t max_messages, std::chrono::milliseconds timeout) {
    MessageBatch batch;
    if (Status s = PollInto(max_messages, timeout, &batch); !s.ok()) return s;
    return batch;
  }

  // Partitions that began at the source's default start (no offset of record) since the last
  // call, with the offset each began at. The processor stores them with its next commit, even
  // of an empty batch, so that a restart resumes there instead of at a new default (a second
  // `--start latest` would skip what arrived in between).
  virtual OffsetMap TakeStartPositions() { return {}; }

  // Gaps found since the last call. A saved position that the bus's retention has passed
  // goes on at the earliest offset still held (a `--start` never overrides it); the processor
  // records each gap as a dead letter and logs it. A saved position beyond a partition's end
  // (a topic deleted and recreated, or purged) is no gap: PollInto fails, naming it.
  virtual std::vector<OffsetGap> TakeGaps() { return {}; }
  // Partitions read again from their earliest offset because the saved one was beyond their
  // end (a recreated topic, when the user chose so), since the last call: the new offsets
  // replace the saved ones, which are larger.
  virtual OffsetMap TakeResets() { return {}; }

  // Informs the bus of progress already stored with the rows (for lag tools). Best effort.
  virtual Status Acknowledge(const OffsetMap& next_offsets) { return Status::Ok(); }

  // False while a consumer-group member holds no partition yet (joining, or waiting for a
  // killed member's session to expire): --idle-exit counts only from the first assignment.
  virtual bool HasAssignment() const { return true; }

  // Messages available but not yet returned, summed over assigned partitions; -1 if unknown.
  virtual int64_t Lag() { return -1; }

  // The id of the stream's current incarnation (a Kafka topic's id, new when the topic is
  // deleted and created again); "" when the bus has none or it is not known. Stored with the
  // offsets of record.
  virtual std::string stream_id() const { return ""; }
  // The id stored with the offsets of record (ProcessedStore::LoadStreamId), told by the
  // assignment listener before it returns the offsets. A source whose stream has another id now
  // refuses to read (PollInto fails, naming both ids and the saved offsets), or, when the user
  // chose so, reads the assigned partitions again from their earliest offsets (TakeResets).
  virtual void SetStoredStreamId(const std::string& id) {}

  // A name for this stream in the offsets table, e.g. "log" or the Kafka topic. Known once
  // Poll has returned without error (the embedded log's name comes from the log itself).
  virtual std::string stream_name() const = 0;
};

}  // namespace shopstream::bus
