#include "kafka/kafka_publisher.h"

#include <chrono>
#include <cstdint>
#include <vector>

#include "common/log.h"
#include "kafka/kafka_admin.h"
#include "kafka/kafka_config.h"

namespace shopstream::kafka {
namespace {

constexpr int kQueueFullWaitMs = 100;
constexpr auto kStallReportEvery = std::chrono::seconds(10);
constexpr int kFlushSliceMs = 1000;
// New producers that may fail for good in a row, confirming nothing, before the run ends.
constexpr int kMaxRecoveriesWithoutProgress = 3;

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
      // A paused leader (SIGSTOP, a frozen VM) keeps its connections open: its requests
      // would wait librdkafka's default 60 s before being sent again to the new leader.
      {"socket.timeout.ms", kafka::kSocketTimeoutMs},
  };
  settings.insert(settings.end(), endpoint->passthrough.begin(), endpoint->passthrough.end());
  // Refuse a bad setting now, with the URI's name, rather than at a recovery.
  if (auto conf = kafka::MakeConf(settings, uri.text); !conf.ok()) return conf.status();

  std::unique_ptr<KafkaPublisher> publisher(
      new KafkaPublisher(endpoint->topic, uri.text, std::move(settings)));
  if (Status s = publisher->CreateProducer(); !s.ok()) return s;

  if (options.create_topic) {
    Status s = kafka::EnsureTopic(publisher->producer_, publisher->topic_, partitions,
                                  options.replication_factor, options.admin_timeout);
    if (!s.ok()) {
      return s.retryable() ? Status::Unavailable(uri.text + ": " + s.message())
                           : Status::Internal(uri.text + ": " + s.message());
    }
  }
  // Only now: a topic handle asks the brokers about its topic, which they may create with
  // their default partitions before EnsureTopic could.
  if (Status s = publisher->OpenTopic(); !s.ok()) return s;
  return publisher;
}

Status KafkaPublisher::CreateProducer() {
  auto conf = kafka::MakeConf(settings_, where_);
  if (!conf.ok()) return conf.status();
  rd_kafka_conf_set_dr_msg_cb(conf->get(), &KafkaPublisher::OnDelivery);
  rd_kafka_conf_set_error_cb(conf->get(), &KafkaPublisher::OnError);
  rd_kafka_conf_set_opaque(conf->get(), this);
  kafka::InstallLogger(conf->get());

  char errstr[512];
  // rd_kafka_new takes the configuration over only when it succeeds.
  producer_ = rd_kafka_new(RD_KAFKA_PRODUCER, conf->get(), errstr, sizeof errstr);
  if (!producer_) {
    return Status::InvalidArgument("cannot create a Kafka producer for '" + where_ +
                                   "': " + errstr);
  }
  conf->release();
  return Status::Ok();
}

Status KafkaPublisher::OpenTopic() {
  topic_handle_ = rd_kafka_topic_new(producer_, topic_.c_str(), nullptr);
  if (!topic_handle_) {
    return kafka::StatusFromError(rd_kafka_last_error(), "opening topic of '" + where_ + "'");
  }
  return Status::Ok();
}

void KafkaPublisher::DestroyProducer() {
  if (topic_handle_) rd_kafka_topic_destroy(topic_handle_);
  if (producer_) rd_kafka_destroy(producer_);
  topic_handle_ = nullptr;
  producer_ = nullptr;
}

KafkaPublisher::~KafkaPublisher() {
  // A producer that failed for good delivers nothing more: no wait for it.
  if (producer_ && FatalError().ok()) {
    // Callers Flush() before closing; this only bounds the wait for anything left over.
    if (rd_kafka_flush(producer_, 10 * kFlushSliceMs) != RD_KAFKA_RESP_ERR_NO_ERROR) {
      LogWarn(where_ + ": closing with " + std::to_string(rd_kafka_outq_len(producer_)) +
              " messages not yet delivered");
    }
  }
  DestroyProducer();
}

void KafkaPublisher::OnDelivery(rd_kafka_t* rk, const rd_kafka_message_t* message, void* opaque) {
  auto* self = static_cast<KafkaPublisher*>(opaque);
  const auto seq = reinterpret_cast<uintptr_t>(message->_private);
  if (message->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
    if (self->unconfirmed_.erase(seq) > 0) ++self->delivered_;
    return;
  }
  // Failed because the producer failed for good (or was purged on the way to its
  // replacement): the message stays and Recover() sends it again.
  if (rd_kafka_fatal_error(rk, nullptr, 0) != RD_KAFKA_RESP_ERR_NO_ERROR ||
      message->err == RD_KAFKA_RESP_ERR__PURGE_QUEUE ||
      message->err == RD_KAFKA_RESP_ERR__PURGE_INFLIGHT ||
      message->err == RD_KAFKA_RESP_ERR__DESTROY) {
    return;
  }
  if (self->unconfirmed_.erase(seq) == 0) return;
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

Status KafkaPublisher::Queue(uint64_t seq) {
  std::string& payload = unconfirmed_.at(seq);
  auto stalled_since = std::chrono::steady_clock::time_point{};
  auto last_report = std::chrono::steady_clock::time_point{};
  for (;;) {
    // No copy: the payload stays in unconfirmed_ until its delivery report.
    int rc = rd_kafka_produce(topic_handle_, RD_KAFKA_PARTITION_UA, 0, payload.data(),
                              payload.size(), nullptr, 0, reinterpret_cast<void*>(seq));
    if (rc == 0) return Status::Ok();
    rd_kafka_resp_err_t err = rd_kafka_last_error();
    if (Status fatal = FatalError(); !fatal.ok()) return fatal;
    if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL) {
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
}

Status KafkaPublisher::QueueOrRecover(uint64_t seq) {
  Status s = Queue(seq);
  return s.ok() || FatalError().ok() ? s : Recover();
}

Status KafkaPublisher::Recover() {
  for (;;) {
    Status fatal = FatalError();
    if (fatal.ok()) return Status::Ok();
    // Bounded: producers that fail for good one after another before anything more is
    // confirmed (a refused authorisation, say) end the run instead of looping.
    fruitless_recoveries_ = delivered_ == delivered_at_recovery_ ? fruitless_recoveries_ + 1 : 0;
    if (fruitless_recoveries_ > kMaxRecoveriesWithoutProgress) {
      return Status::Internal(fatal.message() + " (and " +
                              std::to_string(kMaxRecoveriesWithoutProgress) +
                              " new producers in a row failed before confirming a message)");
    }
    // Serve what the old producer still reports (confirmed messages leave unconfirmed_),
    // then drop the rest of its queue: those messages are sent again below.
    rd_kafka_purge(producer_, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
    rd_kafka_poll(producer_, 0);
    delivered_at_recovery_ = delivered_;
    LogWarn(fatal.message() + "; making a new producer and sending again the " +
            std::to_string(unconfirmed_.size()) +
            " messages not yet confirmed (the bus may then hold some twice, with one id: the "
            "stores keep one row each)");
    DestroyProducer();
    if (Status s = CreateProducer(); !s.ok()) return s;
    if (Status s = OpenTopic(); !s.ok()) return s;
    ++recoveries_;
    std::vector<uint64_t> seqs;
    seqs.reserve(unconfirmed_.size());
    for (const auto& entry : unconfirmed_) seqs.push_back(entry.first);
    Status queued;
    for (uint64_t seq : seqs) {
      // Not queued yet, so still unconfirmed (only those queued before it can be confirmed).
      queued = Queue(seq);
      if (!queued.ok()) break;
      ++resent_;
    }
    if (queued.ok() || FatalError().ok()) return queued;
  }
}

Status KafkaPublisher::Publish(const std::vector<std::string>& payloads) {
  for (const std::string& payload : payloads) {
    const uint64_t seq = next_seq_++;
    unconfirmed_.emplace(seq, payload);
    if (Status s = QueueOrRecover(seq); !s.ok()) return s;
  }
  rd_kafka_poll(producer_, 0);
  if (FatalError().ok()) return Status::Ok();
  return Recover();
}

Status KafkaPublisher::Flush() {
  auto started = std::chrono::steady_clock::now();
  auto last_report = started;
  while (!unconfirmed_.empty()) {
    rd_kafka_flush(producer_, kFlushSliceMs);
    if (!FatalError().ok()) {
      if (Status s = Recover(); !s.ok()) return s;
      continue;
    }
    if (rd_kafka_outq_len(producer_) == 0 && !unconfirmed_.empty()) {
      rd_kafka_poll(producer_, 0);
      if (FatalError().ok() && !unconfirmed_.empty()) {
        return Status::Internal(where_ + ": " + std::to_string(unconfirmed_.size()) +
                                " messages were neither confirmed nor failed");
      }
      continue;
    }
    auto now = std::chrono::steady_clock::now();
    if (now - last_report >= kStallReportEvery) {
      last_report = now;
      LogWarn(where_ + ": still waiting for " + std::to_string(unconfirmed_.size()) +
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
