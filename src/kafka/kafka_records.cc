#include "kafka/kafka_records.h"

#include <map>

#include "common/log.h"
#include "kafka/kafka_admin.h"
#include "kafka/kafka_config.h"
#include "kafka/kafka_end_offsets.h"
#include "kafka/kafka_handles.h"

namespace shopstream::kafka {

std::string KafkaRecord::Header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (key == name) return value;
  }
  return "";
}

Result<std::unique_ptr<KafkaRecordSink>> KafkaRecordSink::Open(const Uri& uri,
                                                               std::chrono::milliseconds timeout) {
  auto endpoint = ParseEndpoint(uri, {});
  if (!endpoint.ok()) return endpoint.status();
  Settings settings = {
      {"bootstrap.servers", endpoint->brokers},
      {"client.id", "shopstream-dead-letters"},
      {"enable.idempotence", "true"},
      {"acks", "all"},
      {"linger.ms", "50"},
      {"message.timeout.ms", "60000"},
      {"queue.buffering.max.messages", "100000"},
  };
  settings.insert(settings.end(), endpoint->passthrough.begin(), endpoint->passthrough.end());
  auto conf = MakeConf(settings, uri.text);
  if (!conf.ok()) return conf.status();
  std::unique_ptr<KafkaRecordSink> sink(new KafkaRecordSink(uri.text));
  sink->topic_ = endpoint->topic;
  rd_kafka_conf_set_dr_msg_cb(conf->get(), &KafkaRecordSink::OnDelivery);
  rd_kafka_conf_set_opaque(conf->get(), sink.get());
  InstallLogger(conf->get());
  char errstr[512];
  sink->producer_ = rd_kafka_new(RD_KAFKA_PRODUCER, conf->get(), errstr, sizeof errstr);
  if (!sink->producer_) {
    return Status::InvalidArgument("cannot create a Kafka producer for '" + uri.text +
                                   "': " + errstr);
  }
  conf->release();
  if (Status s = EnsureTopic(sink->producer_, sink->topic_, 1, -1, timeout); !s.ok()) {
    LogWarn(uri.text + ": the dead-letter topic could not be checked or created (" + s.message() +
            "); processing goes on, dead letters are published once the topic answers");
  }
  return sink;
}

KafkaRecordSink::~KafkaRecordSink() {
  if (producer_) rd_kafka_destroy(producer_);
}

void KafkaRecordSink::OnDelivery(rd_kafka_t*, const rd_kafka_message_t* message, void* opaque) {
  auto* self = static_cast<KafkaRecordSink*>(opaque);
  if (message->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
    ++self->delivered_;
  } else if (self->failed_++ == 0) {
    LogWarn(self->where_ + ": a dead letter was not published (" + rd_kafka_err2str(message->err) +
            "); it stays in the store's dead_letters (shopstream deadletters export)");
  }
}

void KafkaRecordSink::Offer(const std::vector<KafkaRecord>& records) {
  for (const KafkaRecord& r : records) {
    rd_kafka_headers_t* headers = rd_kafka_headers_new(r.headers.size());
    for (const auto& [key, value] : r.headers) {
      rd_kafka_header_add(headers, key.data(), static_cast<ssize_t>(key.size()), value.data(),
                          static_cast<ssize_t>(value.size()));
    }
    // Copied: the caller's batch is recycled once this returns. The headers are the producer's
    // once produced, ours when it fails.
    const rd_kafka_resp_err_t err = rd_kafka_producev(
        producer_, RD_KAFKA_V_TOPIC(topic_.c_str()), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
        RD_KAFKA_V_VALUE(const_cast<char*>(r.value.data()), r.value.size()),
        RD_KAFKA_V_HEADERS(headers), RD_KAFKA_V_END);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      rd_kafka_headers_destroy(headers);
      if (dropped_++ == 0 || dropped_ % 10000 == 0) {
        LogWarn(where_ + ": " + std::to_string(dropped_) + " dead letters not published (" +
                rd_kafka_err2str(err) +
                ": the topic is away); they stay in the store's dead_letters");
      }
    }
  }
  rd_kafka_poll(producer_, 0);  // delivery reports
}

int64_t KafkaRecordSink::Flush(std::chrono::milliseconds timeout) {
  rd_kafka_flush(producer_, static_cast<int>(timeout.count()));
  return dropped_ + failed_ + rd_kafka_outq_len(producer_);
}

Result<std::vector<KafkaRecord>> ReadKafkaTopic(const Uri& uri, std::chrono::milliseconds timeout) {
  auto ends = KafkaEndOffsets(uri, timeout);
  if (!ends.ok()) return ends.status();
  auto endpoint = ParseEndpoint(uri, {});
  if (!endpoint.ok()) return endpoint.status();
  Settings settings = {{"bootstrap.servers", endpoint->brokers},
                       {"group.id", "shopstream-deadletters-reader"},
                       {"enable.auto.commit", "false"},
                       {"enable.partition.eof", "false"}};
  settings.insert(settings.end(), endpoint->passthrough.begin(), endpoint->passthrough.end());
  auto conf = MakeConf(settings, uri.text);
  if (!conf.ok()) return conf.status();
  InstallLogger(conf->get());
  char errstr[512];
  rd_kafka_t* consumer = rd_kafka_new(RD_KAFKA_CONSUMER, conf->get(), errstr, sizeof errstr);
  if (!consumer) {
    return Status::InvalidArgument("cannot create a Kafka consumer for '" + uri.text +
                                   "': " + errstr);
  }
  conf->release();
  struct Closer {
    rd_kafka_t* rk;
    ~Closer() {
      rd_kafka_consumer_close(rk);
      rd_kafka_destroy(rk);
    }
  } closer{consumer};
  // Assigned, not subscribed: no group membership, nothing committed.
  PartitionListPtr list(rd_kafka_topic_partition_list_new(static_cast<int>(ends->size())));
  std::map<int32_t, int64_t> left;  // partition -> its end, while not reached
  for (const auto& [partition, end] : *ends) {
    if (end <= 0) continue;
    rd_kafka_topic_partition_list_add(list.get(), endpoint->topic.c_str(), partition)->offset =
        RD_KAFKA_OFFSET_BEGINNING;
    left[partition] = end;
  }
  std::vector<KafkaRecord> out;
  if (left.empty()) return out;
  if (rd_kafka_resp_err_t err = rd_kafka_assign(consumer, list.get()); err) {
    return StatusFromError(err, uri.text + ": assigning the topic's partitions");
  }
  const auto deadline = std::chrono::steady_clock::now() + timeout + std::chrono::seconds(60);
  while (!left.empty()) {
    if (std::chrono::steady_clock::now() > deadline) {
      return Status::Unavailable(uri.text + ": the topic was not read to its end in time");
    }
    MessagePtr m(rd_kafka_consumer_poll(consumer, 200));
    if (!m) continue;
    if (m->err) {
      if (IsTransient(m->err)) continue;
      return StatusFromError(m->err, uri.text + ": reading the topic");
    }
    auto it = left.find(m->partition);
    if (it == left.end()) continue;  // past the end it had when the read began
    if (m->offset + 1 >= it->second) left.erase(it);
    KafkaRecord r;
    r.partition = m->partition;
    r.offset = m->offset;
    r.value.assign(static_cast<const char*>(m->payload), m->len);
    rd_kafka_headers_t* headers = nullptr;
    if (rd_kafka_message_headers(m.get(), &headers) == RD_KAFKA_RESP_ERR_NO_ERROR) {
      const char* name;
      const void* value;
      size_t size;
      for (size_t i = 0; !rd_kafka_header_get_all(headers, i, &name, &value, &size); ++i) {
        r.headers.emplace_back(
            name, value ? std::string(static_cast<const char*>(value), size) : std::string());
      }
    }
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace shopstream::kafka
