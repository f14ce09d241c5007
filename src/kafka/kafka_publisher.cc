#include "kafka/kafka_publisher.h"

#include <chrono>

#include "common/log.h"
#include "kafka/kafka_admin.h"
#include "kafka/kafka_config.h"

namespace shopstream::kafka {
namespace {

constexpr int kQueueFullWaitMs = 100;
constexpr auto kStallReportEvery = std::chrono::seconds(10);
constexpr int kFlushSliceMs = 1000;

}  // namespace

Result<std::unique_ptr<KafkaPublisher>> KafkaPublisher::Open(const Uri& uri,
                                                             const KafkaPublisherOptions& options) {
  auto endpoint = kafka::ParseEndpoint(uri, {"partitions"});
  if (!endpoint.ok()) return endpoint.status();
  int partitions = options.partitions;
  if (std::string p = uri.Param("partitions"); !p.empty()) {
    try {
      partitions = std::stoi(p);
    } catch (const std::exception&) {
      partitions = 0;
    }
  }
  if (partitions < 1) {
    return Status::InvalidArgument("'" + uri.text + "': partitions must be a positive number");
  }

  kafka::Settings settings = {
      {"bootstrap.servers", endpoint->brokers},
      {"client.id", "shopstream-produce"},
      {"enable.idempotence", "true"},
      {"acks", "all"},
      {"compression.type", options.compression},
      {"queue.buffering.max.messages", std::to_string(options.queue_messages)},
      {"linger.ms", "5"},
  };
  settings.insert(settings.end(), endpoint->passthrough.begin(), endpoint->passthrough.end());
  auto conf = kafka::MakeConf(settings, uri.text);
  if (!conf.ok()) return conf.status();

  std::unique_ptr<KafkaPublisher> publisher(new KafkaPublisher(endpoint->topic, uri.text));
  rd_kafka_conf_set_dr_msg_cb(conf->get(), &KafkaPublisher::OnDelivery);
  rd_kafka_conf_set_error_cb(conf->get(), &KafkaPublisher::OnError);
  rd_kafka_conf_set_opaque(conf->get(), publisher.get());
  kafka::InstallLogger(conf->get());

  char errstr[512];
  // rd_kafka_new takes the configuration over only when it succeeds.
  publisher->producer_ = rd_kafka_new(RD_KAFKA_PRODUCER, conf->get(), errstr, sizeof errstr);
  if (!publisher->producer_) {
    return Status::InvalidArgument("cannot create a Kafka producer for '" + uri.text +
                                   "': " + errstr);
  }
  conf->release();

  if (options.create_topic) {
    Status s = kafka::EnsureTopic(publisher->producer_, publisher->topic_, partitions,
                                  options.replication_factor, options.admin_timeout);
    if (!s.ok()) {
      return s.retryable() ? Status::Unavailable(uri.text + ": " + s.message())
                           : Status::Internal(uri.text + ": " + s.message());
    }
  }
  publisher->topic_handle_ =
      rd_kafka_topic_new(publisher->producer_, publisher->topic_.c_str(), nullptr);
  if (!publisher->topic_handle_) {
    return kafka::StatusFromError(rd_kafka_last_error(), "opening topic of '" + uri.text + "'");
  }
  return publisher;
}

KafkaPublisher::~KafkaPublisher() {
  if (producer_) {
    // Callers Flush() before closing; this only bounds the wait for anything left over.
    if (rd_kafka_flush(producer_, 10 * kFlushSliceMs) != RD_KAFKA_RESP_ERR_NO_ERROR) {
      LogWarn(where_ + ": closing with " + std::to_string(rd_kafka_outq_len(producer_)) +
              " messages not yet delivered");
    }
  }
  if (topic_handle_) rd_kafka_topic_destroy(topic_handle_);
  if (producer_) rd_kafka_destroy(producer_);
}

void KafkaPublisher::OnDelivery(rd_kafka_t*, const rd_kafka_message_t* message, void* opaque) {
  auto* self = static_cast<KafkaPublisher*>(opaque);
  if (message->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
    ++self->delivered_;
    return;
  }
  if (self->failed_++ == 0) {
    self->first_error_code_ = message->err;
    self->first_error_ = rd_kafka_err2str(message->err);
    LogError(self->where_ + ": a message could not be delivered: " + self->first_error_);
  }
}

void KafkaPublisher::OnError(rd_kafka_t*, int err, const char* reason, void* opaque) {
  // Served by rd_kafka_poll()/flush(); librdkafka retries connections by itself, and a
  // fatal error is picked up by FatalError() on the next call.
  auto* self = static_cast<KafkaPublisher*>(opaque);
  auto code = static_cast<rd_kafka_resp_err_t>(err);
  if (!self->throttle_.ShouldLog(code)) return;
  std::string line = self->where_ + ": " + reason + " (" + rd_kafka_err2name(code) + ")";
  kafka::IsTransient(code) ? LogWarn(line) : LogError(line);
}

Status KafkaPublisher::FatalError() const {
  char reason[512];
  rd_kafka_resp_err_t err = rd_kafka_fatal_error(producer_, reason, sizeof reason);
  if (err == RD_KAFKA_RESP_ERR_NO_ERROR) return Status::Ok();
  return Status::Internal(where_ + ": the Kafka producer failed for good: " + reason);
}

Status KafkaPublisher::Publish(const std::vector<std::string>& payloads) {
  auto stalled_since = std::chrono::steady_clock::time_point{};
  auto last_report = std::chrono::steady_clock::time_point{};
  for (size_t i = 0; i < payloads.size();) {
    const std::string& payload = payloads[i];
    // Copy: the caller's strings may be gone before librdkafka sends the batch.
    int rc =
        rd_kafka_produce(topic_handle_, RD_KAFKA_PARTITION_UA, RD_KAFKA_MSG_F_COPY,
                         const_cast<char*>(payload.data()), payload.size(), nullptr, 0, nullptr);
    if (rc == 0) {
      ++i;
      stalled_since = {};
      continue;
    }
    rd_kafka_resp_err_t err = rd_kafka_last_error();
    if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL) {
      if (Status fatal = FatalError(); !fatal.ok()) return fatal;
      return kafka::StatusFromError(err, where_ + ": queueing a message");
    }
    // Backpressure: serve delivery reports, which frees queue space, then try again.
    rd_kafka_poll(producer_, kQueueFullWaitMs);
    if (Status fatal = FatalError(); !fatal.ok()) return fatal;
    auto now = std::chrono::steady_clock::now();
    if (stalled_since == std::chrono::steady_clock::time_point{}) stalled_since = now;
    if (now - stalled_since >= kStallReportEvery && now - last_report >= kStallReportEvery) {
      last_report = now;
      LogWarn(where_ + ": local queue full for " +
              std::to_string(
                  std::chrono::duration_cast<std::chrono::seconds>(now - stalled_since).count()) +
              " s; waiting for the brokers");
    }
  }
  rd_kafka_poll(producer_, 0);
  return FatalError();
}

Status KafkaPublisher::Flush() {
  auto started = std::chrono::steady_clock::now();
  auto last_report = started;
  while (rd_kafka_outq_len(producer_) > 0) {
    rd_kafka_flush(producer_, kFlushSliceMs);
    if (Status fatal = FatalError(); !fatal.ok()) return fatal;
    auto now = std::chrono::steady_clock::now();
    if (now - last_report >= kStallReportEvery) {
      last_report = now;
      LogWarn(where_ + ": still waiting for " + std::to_string(rd_kafka_outq_len(producer_)) +
              " messages to be acknowledged");
    }
  }
  if (failed_ == 0) return Status::Ok();
  return kafka::StatusFromError(first_error_code_,
                                where_ + ": " + std::to_string(failed_) + " of " +
                                    std::to_string(failed_ + delivered_) +
                                    " messages were not delivered; the first error was");
}

}  // namespace shopstream::kafka
