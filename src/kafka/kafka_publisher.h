// Publisher on an idempotent librdkafka producer (acks=all, compressed batches).
// Publish() blocks while the bounded local queue is full instead of dropping; delivery
// reports are counted; Flush() waits for every queued message to be delivered or failed.
// Not thread-safe: one thread publishes.
#pragma once

#include <librdkafka/rdkafka.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "bus/bus.h"
#include "kafka/kafka_bus.h"
#include "kafka/kafka_config.h"

namespace shopstream::kafka {

class KafkaPublisher final : public bus::Publisher {
 public:
  static Result<std::unique_ptr<KafkaPublisher>> Open(const Uri& uri,
                                                      const KafkaPublisherOptions& options);
  ~KafkaPublisher() override;
  KafkaPublisher(const KafkaPublisher&) = delete;
  KafkaPublisher& operator=(const KafkaPublisher&) = delete;

  Status Publish(const std::vector<std::string>& payloads) override;
  // Waits until every message is acknowledged by the brokers or has failed for good
  // (after message.timeout.ms). Not OK when any message failed: the count and first error.
  Status Flush() override;
  int64_t delivery_errors() const override { return failed_; }

  int64_t delivered() const { return delivered_; }
  // librdkafka's text for the first failed delivery; empty when none failed.
  const std::string& first_error() const { return first_error_; }
  const std::string& topic() const { return topic_; }

 private:
  KafkaPublisher(std::string topic, std::string where)
      : topic_(std::move(topic)), where_(std::move(where)) {}
  static void OnDelivery(rd_kafka_t* rk, const rd_kafka_message_t* message, void* opaque);
  static void OnError(rd_kafka_t* rk, int err, const char* reason, void* opaque);
  Status FatalError() const;

  std::string topic_;
  std::string where_;  // the URI text, for messages
  rd_kafka_t* producer_ = nullptr;
  rd_kafka_topic_t* topic_handle_ = nullptr;
  // Delivery reports are served by rd_kafka_poll()/flush() on the publishing thread; the
  // counts may be read from others (status lines).
  std::atomic<int64_t> delivered_{0};
  std::atomic<int64_t> failed_{0};
  rd_kafka_resp_err_t first_error_code_ = RD_KAFKA_RESP_ERR_NO_ERROR;
  std::string first_error_;
  kafka::ErrorThrottle throttle_;
};

}  // namespace shopstream::kafka
