// Records with headers on a Kafka topic, for the dead-letter topic (process --dead-letters
// kafka://..., deadletters replay --from kafka://...): a producer that never blocks its caller,
// and a one-pass reader of a whole topic. Knows nothing of what the records mean.
#pragma once

#include <librdkafka/rdkafka.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "common/status.h"
#include "common/uri.h"

namespace shopstream::kafka {

struct KafkaRecord {
  int32_t partition = 0;  // where it was read (ReadKafkaTopic)
  int64_t offset = 0;
  std::string value;
  std::vector<std::pair<std::string, std::string>> headers;

  // The value of the first header `name`, "" when there is none.
  std::string Header(std::string_view name) const;
};

// An idempotent producer whose Offer() only queues: records that do not fit the local queue
// (the brokers away for long) are dropped and counted, never waited for. Delivery failures
// (message.timeout.ms, 60 s) are counted too. Not thread-safe: one thread offers.
class KafkaRecordSink {
 public:
  // Creates the topic when missing (1 partition) if a broker answers within `timeout`; else
  // warns and goes on, the producer retrying by itself.
  static Result<std::unique_ptr<KafkaRecordSink>> Open(const Uri& uri,
                                                       std::chrono::milliseconds timeout);
  ~KafkaRecordSink();
  KafkaRecordSink(const KafkaRecordSink&) = delete;
  KafkaRecordSink& operator=(const KafkaRecordSink&) = delete;

  void Offer(const std::vector<KafkaRecord>& records);
  // Waits up to `timeout` for what is queued; returns how many records were never delivered
  // (dropped, failed or still queued).
  int64_t Flush(std::chrono::milliseconds timeout);

  int64_t delivered() const { return delivered_; }
  int64_t lost() const { return dropped_ + failed_; }

 private:
  explicit KafkaRecordSink(std::string where) : where_(std::move(where)) {}
  static void OnDelivery(rd_kafka_t* rk, const rd_kafka_message_t* message, void* opaque);

  std::string where_;
  std::string topic_;
  rd_kafka_t* producer_ = nullptr;
  std::atomic<int64_t> delivered_{0}, dropped_{0}, failed_{0};
};

// Every record of the URI's topic from the start of each partition to its end offset at the
// time of the call. NotFound when the topic does not exist, Unavailable when no broker answers
// within `timeout`.
Result<std::vector<KafkaRecord>> ReadKafkaTopic(const Uri& uri, std::chrono::milliseconds timeout);

}  // namespace shopstream::kafka
