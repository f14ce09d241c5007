// Publisher on an idempotent librdkafka producer (acks=all, compressed batches).
// Publish() blocks while the bounded local queue is full instead of dropping; delivery
// reports are counted; Flush() waits for every queued message to be delivered or failed.
// A fatal producer error (librdkafka before 2.3.0 raises one after a leader's death: "rewound
// sequence number") does not end the stream: the producer is made anew and every message not
// yet confirmed by a delivery report is sent again, in order. A message the brokers had stored
// without confirming it is then on the bus twice, with its one id; the stores keep one row.
// Not thread-safe: one thread publishes.
#pragma once

#include <librdkafka/rdkafka.h>

#include <atomic>
#include <cstdint>
#include <map>
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
  // Producers made anew after a fatal error, and the messages they sent again.
  int recoveries() const { return recoveries_; }
  int64_t resent() const { return resent_; }

 private:
  KafkaPublisher(std::string topic, std::string where, kafka::Settings settings)
      : topic_(std::move(topic)), where_(std::move(where)), settings_(std::move(settings)) {}
  static void OnDelivery(rd_kafka_t* rk, const rd_kafka_message_t* message, void* opaque);
  static void OnError(rd_kafka_t* rk, int err, const char* reason, void* opaque);
  Status CreateProducer();
  Status OpenTopic();
  void DestroyProducer();
  Status FatalError() const;
  // Hands unconfirmed_[seq] to librdkafka, waiting while its queue is full. Not OK when the
  // producer has failed for good (FatalError() says so) or the message was refused.
  Status Queue(uint64_t seq);
  // Queue(), recovering from a fatal error.
  Status QueueOrRecover(uint64_t seq);
  // Replaces a producer that failed for good and queues every unconfirmed message again.
  Status Recover();

  std::string topic_;
  std::string where_;  // the URI text, for messages
  kafka::Settings settings_;
  // Every message queued and not yet confirmed or failed for good, by sequence number (the
  // librdkafka message's opaque). librdkafka points into these strings (no copy), so they
  // stay until the delivery report. Served on the publishing thread only.
  std::map<uint64_t, std::string> unconfirmed_;
  uint64_t next_seq_ = 0;
  int recoveries_ = 0;
  int fruitless_recoveries_ = 0;        // in a row, with no message confirmed in between
  int64_t delivered_at_recovery_ = -1;  // delivered_ at the last recovery
  int64_t resent_ = 0;
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
