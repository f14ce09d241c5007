// The publisher survives a fatal idempotent-producer error (librdkafka 2.0.2 raises one after
// a partition leader's death): it makes a new producer and sends again whatever was not
// confirmed, so every message reaches the bus. Against librdkafka's in-process mock cluster.
#include <gtest/gtest.h>
#include <librdkafka/rdkafka.h>

#include <set>
#include <string>
#include <vector>

#include "kafka/kafka_publisher.h"
#include "kafka/kafka_source.h"
#include "kafka/mock_cluster.h"

namespace shopstream::kafka {
namespace {

constexpr int16_t kProduceApiKey = 0;  // Kafka protocol number of Produce requests
constexpr int kMaxPolls = 240;         // bounds the read-back: 240 polls of at most 250 ms

// Every payload on the topic (a set: a message sent twice counts once).
std::set<std::string> ReadAll(MockCluster& cluster, const std::string& topic, size_t expected) {
  KafkaSourceOptions options;
  options.group = "read-back";
  auto source = KafkaSource::Open(cluster.UriFor(topic, "rdkafka.log_level=0"), options);
  EXPECT_TRUE(source.ok()) << source.status().ToString();
  std::set<std::string> seen;
  if (!source.ok()) return seen;
  for (int i = 0; i < kMaxPolls && seen.size() < expected; ++i) {
    auto batch = (*source)->Poll(1000, std::chrono::milliseconds(250));
    EXPECT_TRUE(batch.ok()) << batch.status().ToString();
    if (!batch.ok()) break;
    for (const bus::Message& m : *batch) seen.insert(std::string(m.payload));
  }
  return seen;
}

TEST(KafkaPublisherRecoveryTest, AFatalIdempotenceErrorMakesANewProducerAndLosesNothing) {
  MockCluster cluster("0");
  cluster.CreateTopic("fatal", 1);
  KafkaPublisherOptions options;
  options.create_topic = false;
  // One message per request, so that the broker's refusal hits a batch after the first.
  auto publisher = KafkaPublisher::Open(
      cluster.UriFor("fatal", "rdkafka.log_level=0&rdkafka.batch.num.messages=1"), options);
  ASSERT_TRUE(publisher.ok()) << publisher.status().ToString();
  ASSERT_TRUE((*publisher)->Publish(Payloads(0, 50)).ok());
  ASSERT_TRUE((*publisher)->Flush().ok());
  // The broker answers a sequence it did not expect: fatal for an idempotent producer.
  rd_kafka_mock_push_request_errors(cluster.get(), kProduceApiKey, 1,
                                    RD_KAFKA_RESP_ERR_OUT_OF_ORDER_SEQUENCE_NUMBER);
  Status published = (*publisher)->Publish(Payloads(50, 150));
  ASSERT_TRUE(published.ok()) << published.ToString();
  Status flushed = (*publisher)->Flush();
  ASSERT_TRUE(flushed.ok()) << flushed.ToString();
  EXPECT_GE((*publisher)->recoveries(), 1);
  EXPECT_EQ((*publisher)->delivery_errors(), 0);
  EXPECT_EQ((*publisher)->delivered(), 200);

  std::set<std::string> seen = ReadAll(cluster, "fatal", 200);
  std::vector<std::string> all = Payloads(0, 200);
  EXPECT_EQ(seen, std::set<std::string>(all.begin(), all.end()));
}

TEST(KafkaPublisherRecoveryTest, ProducersFailingAgainAndAgainEndTheRun) {
  MockCluster cluster("0");
  cluster.CreateTopic("always", 1);
  KafkaPublisherOptions options;
  options.create_topic = false;
  auto publisher = KafkaPublisher::Open(
      cluster.UriFor("always", "rdkafka.log_level=0&rdkafka.batch.num.messages=1"), options);
  ASSERT_TRUE(publisher.ok()) << publisher.status().ToString();
  // Every produce request refused: no new producer confirms anything.
  std::vector<rd_kafka_resp_err_t> errors(50, RD_KAFKA_RESP_ERR_OUT_OF_ORDER_SEQUENCE_NUMBER);
  rd_kafka_mock_push_request_errors_array(cluster.get(), kProduceApiKey, errors.size(),
                                          errors.data());
  Status s = (*publisher)->Publish(Payloads(0, 5));
  if (s.ok()) s = (*publisher)->Flush();
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("failed for good"), std::string::npos) << s.ToString();
  EXPECT_EQ((*publisher)->delivered(), 0);
}

}  // namespace
}  // namespace shopstream::kafka
