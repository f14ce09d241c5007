// MessageSource on a librdkafka consumer-group member. Partitions are assigned by the group;
// on each assignment the AssignmentListener says where to resume (the offsets of record kept
// with the rows), partitions it does not know start at the configured start position.
// Kafka's committed offsets are written by Acknowledge() for lag tools only and are never
// read back. Rebalance callbacks run inside PollInto(), on the caller's thread.
// Not thread-safe: one thread calls PollInto(), Acknowledge() and Lag().
#pragma once

#include <librdkafka/rdkafka.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "bus/bus.h"
#include "kafka/fetch_waker.h"
#include "kafka/kafka_bus.h"
#include "kafka/kafka_config.h"

namespace shopstream::kafka {

class KafkaSource final : public bus::MessageSource {
 public:
  static Result<std::unique_ptr<KafkaSource>> Open(const Uri& uri,
                                                   const KafkaSourceOptions& options);
  // Leaves the group, so that the remaining members take the partitions over at once.
  ~KafkaSource() override;
  KafkaSource(const KafkaSource&) = delete;
  KafkaSource& operator=(const KafkaSource&) = delete;

  void SetAssignmentListener(AssignmentListener listener) override {
    listener_ = std::move(listener);
  }
  void SetRevocationListener(RevocationListener listener) override {
    revocation_listener_ = std::move(listener);
  }
  // Returns messages grouped by partition, in offset order within each. Messages of a
  // partition revoked or assigned anew by a rebalance during the call are dropped (they are
  // read again from the offsets the listener gives). Unavailable when all brokers are down;
  // Internal on a fatal client error; other broker errors are logged and retried by librdkafka.
  Status PollInto(size_t max_messages, std::chrono::milliseconds timeout,
                  bus::MessageBatch* out) override;
  // Commits `next_offsets` of currently assigned partitions asynchronously.
  Status Acknowledge(const OffsetMap& next_offsets) override;
  // High watermark minus next offset to return, over assigned partitions, from the
  // watermarks cached by fetches; 0 with no assignment, -1 before any fetch.
  int64_t Lag() override;
  std::string stream_name() const override { return topic_; }
  OffsetMap TakeStartPositions() override { return std::exchange(start_positions_, {}); }
  std::vector<bus::OffsetGap> TakeGaps() override { return std::exchange(gaps_, {}); }
  bool HasAssignment() const override { return !positions_.empty(); }
  OffsetMap TakeResets() override { return std::exchange(resets_, {}); }
  std::string stream_id() const override { return topic_id_; }
  void SetStoredStreamId(const std::string& id) override { stored_id_ = id; }

  // The partitions assigned to this member now.
  std::vector<int32_t> assignment() const;
  // Requests sent to wake fetchers stopped by a full prefetch queue (fetch_waker.h).
  int64_t fetcher_wakeups() const { return waker_ ? waker_->requests() : 0; }

 private:
  KafkaSource(std::string topic, std::string where, int64_t start_offset)
      : topic_(std::move(topic)), where_(std::move(where)), start_offset_(start_offset) {}
  static void OnRebalance(rd_kafka_t* rk, rd_kafka_resp_err_t err,
                          rd_kafka_topic_partition_list_t* partitions, void* opaque);
  static void OnCommit(rd_kafka_t* rk, rd_kafka_resp_err_t err,
                       rd_kafka_topic_partition_list_t* offsets, void* opaque);
  static void OnError(rd_kafka_t* rk, int err, const char* reason, void* opaque);
  void Assign(rd_kafka_topic_partition_list_t* partitions);
  // Where a partition with no offset of record begins: earliest, or the end as a number
  // (noted for TakeStartPositions).
  int64_t StartOffset(int32_t partition);
  // A fetch of `partition` met an offset out of range: retention passed it (a gap; go on at
  // the earliest offset held) or it is beyond the end (refused, see TakeGaps).
  Status OutOfRange(int32_t partition);
  Status Seek(int32_t partition, int64_t offset);
  // The topic's id now, asked of a broker (topic_id_probe.h); "" when it cannot be known (no
  // plain-TCP listener, the topic missing, no broker answering).
  std::string CurrentTopicId();
  // At assignment: the resume offsets belong to the topic whose id was stored with them; a
  // topic with another id now is refused (id_failure_) or read again from its earliest offsets.
  void CheckStoredId(const std::vector<int32_t>& partitions, OffsetMap& resume);
  // While running, every few seconds: the topic was deleted and created again under us.
  Status CheckIdUnchanged();
  // Every assigned partition from its earliest offset, the ones read so far dropped.
  Status ReadAllAgain(const std::string& why);
  int64_t EarliestOffset(int32_t partition);
  void Revoke(rd_kafka_topic_partition_list_t* partitions);
  // Logs a broker error, repeating the same one at most every few seconds.
  void LogBrokerError(rd_kafka_resp_err_t err, const std::string& text);
  void LogCommitFailure(rd_kafka_resp_err_t err);
  // Messages on the leader beyond `position` (the next offset to return), by the watermarks
  // of the last fetch; -1 when none is known yet.
  int64_t UnfetchedLag(int32_t partition, int64_t position) const;
  // Assigned partitions whose leader holds messages not yet returned, or that have not been
  // fetched yet.
  std::vector<int32_t> PartitionsBehind() const;
  // Removes the messages from `first` on whose partition was revoked or assigned anew since
  // they were fetched (epochs[i] belongs to messages[first + i]).
  void DropReassigned(std::vector<bus::Message>& messages, size_t first,
                      std::vector<uint64_t>& epochs) const;

  std::string topic_;
  std::string where_;     // the URI text, for messages
  int64_t start_offset_;  // RD_KAFKA_OFFSET_BEGINNING or RD_KAFKA_OFFSET_END
  rd_kafka_t* consumer_ = nullptr;
  rd_kafka_topic_t* topic_handle_ = nullptr;  // keeps the topic's metadata known
  std::unique_ptr<kafka::FetchWaker> waker_;  // destroyed before the consumer
  AssignmentListener listener_;
  RevocationListener revocation_listener_;
  // Assigned partition -> next offset to return (a logical offset until the first message).
  std::map<int32_t, int64_t> positions_;
  OffsetMap start_positions_;         // TakeStartPositions()'s
  std::vector<bus::OffsetGap> gaps_;  // TakeGaps()'s
  OffsetMap resets_;                  // TakeResets()'s
  bool reset_to_earliest_ = false;
  std::string brokers_;    // the bootstrap list, for the topic-id probe
  bool probe_ = false;     // a plain-TCP listener: the topic's id can be asked
  std::string topic_id_;   // as of the last check; "" unknown
  std::string stored_id_;  // SetStoredStreamId()'s
  Status id_failure_;      // a recreated topic found at assignment, returned by PollInto
  std::chrono::steady_clock::time_point next_id_check_{};
  // Assigned partition -> the rebalance that (re)assigned it, to tell kept partitions from
  // ones assigned anew during a PollInto().
  std::map<int32_t, uint64_t> epochs_;
  uint64_t rebalances_ = 0;
  std::vector<uint64_t> epochs_seen_;  // PollInto's, kept for its capacity
  kafka::ErrorThrottle throttle_;
  bool all_brokers_down_ = false;  // set by OnError, reported once by PollInto()
  bool fatal_ = false;             // set by OnError; PollInto() then returns Internal
  // The group's protocol, from the configured assignment strategy: librdkafka names it only
  // while the group is there, and not while the consumer closes.
  bool cooperative_ = false;
};

}  // namespace shopstream::kafka
