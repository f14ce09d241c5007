#include "kafka/kafka_end_offsets.h"

#include "kafka/kafka_admin.h"
#include "kafka/kafka_config.h"

namespace shopstream::kafka {

Result<std::map<int32_t, int64_t>> KafkaEndOffsets(const Uri& uri,
                                                   std::chrono::milliseconds timeout) {
  // The consumer's keys are accepted (the same URI as `process --from`) and not used.
  auto endpoint = kafka::ParseEndpoint(uri, {"group", "start", "partitions"});
  if (!endpoint.ok()) return endpoint.status();
  kafka::Settings settings = {{"bootstrap.servers", endpoint->brokers},
                              {"client.id", "shopstream-status"}};
  settings.insert(settings.end(), endpoint->passthrough.begin(), endpoint->passthrough.end());
  auto conf = kafka::MakeConf(settings, uri.text);
  if (!conf.ok()) return conf.status();
  kafka::InstallLogger(conf->get());
  char errstr[512];
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf->get(), errstr, sizeof errstr);
  if (rk == nullptr) {
    return Status::InvalidArgument("cannot create a Kafka client for '" + uri.text +
                                   "': " + errstr);
  }
  conf->release();
  std::unique_ptr<rd_kafka_t, decltype(&rd_kafka_destroy)> handle(rk, &rd_kafka_destroy);
  Result<int> partitions = kafka::TopicPartitionCount(rk, endpoint->topic, timeout);
  if (!partitions.ok()) return partitions.status();
  std::map<int32_t, int64_t> ends;
  for (int32_t p = 0; p < *partitions; ++p) {
    int64_t low = 0, high = 0;
    if (rd_kafka_resp_err_t err = rd_kafka_query_watermark_offsets(
            rk, endpoint->topic.c_str(), p, &low, &high, static_cast<int>(timeout.count()))) {
      return kafka::StatusFromError(err,
                                    uri.text + ": end offset of partition " + std::to_string(p));
    }
    ends[p] = high;
  }
  return ends;
}

}  // namespace shopstream::kafka
