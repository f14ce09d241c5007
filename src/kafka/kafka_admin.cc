#include "kafka/kafka_admin.h"

#include <memory>

#include "common/log.h"
#include "kafka/kafka_config.h"
#include "kafka/kafka_handles.h"

namespace shopstream::kafka {
namespace {

struct NewTopicDeleter {
  void operator()(rd_kafka_NewTopic_t* t) const { rd_kafka_NewTopic_destroy(t); }
};
struct AdminOptionsDeleter {
  void operator()(rd_kafka_AdminOptions_t* o) const { rd_kafka_AdminOptions_destroy(o); }
};

Status CreateTopic(rd_kafka_t* rk, const std::string& topic, int partitions, int replication_factor,
                   std::chrono::milliseconds timeout) {
  char errstr[512];
  std::unique_ptr<rd_kafka_NewTopic_t, NewTopicDeleter> new_topic(
      rd_kafka_NewTopic_new(topic.c_str(), partitions, replication_factor, errstr, sizeof errstr));
  if (!new_topic) {
    return Status::InvalidArgument("cannot describe topic '" + topic + "' with " +
                                   std::to_string(partitions) + " partitions: " + errstr);
  }
  std::unique_ptr<rd_kafka_AdminOptions_t, AdminOptionsDeleter> options(
      rd_kafka_AdminOptions_new(rk, RD_KAFKA_ADMIN_OP_CREATETOPICS));
  rd_kafka_AdminOptions_set_request_timeout(options.get(), static_cast<int>(timeout.count()),
                                            errstr, sizeof errstr);
  rd_kafka_AdminOptions_set_operation_timeout(options.get(), static_cast<int>(timeout.count()),
                                              errstr, sizeof errstr);
  QueuePtr queue(rd_kafka_queue_new(rk));
  rd_kafka_NewTopic_t* topics[] = {new_topic.get()};
  rd_kafka_CreateTopics(rk, topics, 1, options.get(), queue.get());

  // The request times out on its own, so this wait ends; the margin covers scheduling.
  EventPtr event(rd_kafka_queue_poll(queue.get(), static_cast<int>(timeout.count()) + 5000));
  std::string context = "creating topic '" + topic + "'";
  if (!event) return Status::Unavailable(context + ": no answer from the brokers");
  if (rd_kafka_event_error(event.get())) {
    return StatusFromError(rd_kafka_event_error(event.get()), context);
  }
  const rd_kafka_CreateTopics_result_t* result = rd_kafka_event_CreateTopics_result(event.get());
  size_t count = 0;
  const rd_kafka_topic_result_t** results = rd_kafka_CreateTopics_result_topics(result, &count);
  for (size_t i = 0; i < count; ++i) {
    rd_kafka_resp_err_t err = rd_kafka_topic_result_error(results[i]);
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      LogInfo("created Kafka topic '" + topic + "' with " + std::to_string(partitions) +
              " partitions");
    } else if (err != RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) {
      const char* why = rd_kafka_topic_result_error_string(results[i]);
      return StatusFromError(err, context + (why ? std::string(" (") + why + ")" : ""));
    }
  }
  return Status::Ok();
}

}  // namespace

Result<int> TopicPartitionCount(rd_kafka_t* rk, const std::string& topic,
                                std::chrono::milliseconds timeout) {
  // Asking for all topics never triggers the broker's automatic topic creation.
  const rd_kafka_metadata_t* raw = nullptr;
  rd_kafka_resp_err_t err =
      rd_kafka_metadata(rk, 1, nullptr, &raw, static_cast<int>(timeout.count()));
  if (err) return StatusFromError(err, "reading Kafka metadata for topic '" + topic + "'");
  MetadataPtr metadata(raw);
  for (int i = 0; i < metadata->topic_cnt; ++i) {
    const rd_kafka_metadata_topic_t& t = metadata->topics[i];
    if (topic == t.topic && t.err == RD_KAFKA_RESP_ERR_NO_ERROR) return t.partition_cnt;
  }
  return Status::NotFound("Kafka topic '" + topic + "' does not exist");
}

Status EnsureTopic(rd_kafka_t* rk, const std::string& topic, int partitions, int replication_factor,
                   std::chrono::milliseconds timeout) {
  Result<int> existing = TopicPartitionCount(rk, topic, timeout);
  if (existing.ok()) {
    if (*existing != partitions) {
      LogInfo("Kafka topic '" + topic + "' exists with " + std::to_string(*existing) +
              " partitions (not " + std::to_string(partitions) + "); using it as it is");
    }
    return Status::Ok();
  }
  if (existing.status().code() != StatusCode::kNotFound) return existing.status();
  return CreateTopic(rk, topic, partitions, replication_factor, timeout);
}

}  // namespace shopstream::kafka
