// For tests: librdkafka's in-process mock cluster of one broker (real protocol, real consumer
// groups, injectable errors, nothing to install), and payloads to send through it.
#pragma once

#include <gtest/gtest.h>
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include <string>
#include <vector>

#include "common/uri.h"

namespace shopstream::kafka {

class MockCluster {
 public:
  // `log_level`: librdkafka's syslog level for the cluster's own handle ("0" silences it).
  explicit MockCluster(const char* log_level = "3") {
    char errstr[256];
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "log_level", log_level, errstr, sizeof errstr);
    owner_ = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
    cluster_ = rd_kafka_mock_cluster_new(owner_, 1);
  }
  ~MockCluster() {
    rd_kafka_mock_cluster_destroy(cluster_);
    rd_kafka_destroy(owner_);
  }
  MockCluster(const MockCluster&) = delete;
  MockCluster& operator=(const MockCluster&) = delete;

  rd_kafka_mock_cluster_t* get() { return cluster_; }
  void CreateTopic(const std::string& topic, int partitions) {
    ASSERT_EQ(rd_kafka_mock_topic_create(cluster_, topic.c_str(), partitions, 1),
              RD_KAFKA_RESP_ERR_NO_ERROR);
  }
  Uri UriFor(const std::string& topic, const std::string& query = "") {
    std::string text = std::string("kafka://") + rd_kafka_mock_cluster_bootstraps(cluster_) + "/" +
                       topic + (query.empty() ? "" : "?" + query);
    auto uri = ParseUri(text);
    EXPECT_TRUE(uri.ok()) << uri.status().ToString();
    return *uri;
  }

 private:
  rd_kafka_t* owner_ = nullptr;
  rd_kafka_mock_cluster_t* cluster_ = nullptr;
};

// "event-FIRST" ... "event-(FIRST+COUNT-1)".
inline std::vector<std::string> Payloads(int first, int count) {
  std::vector<std::string> payloads;
  for (int i = first; i < first + count; ++i) payloads.push_back("event-" + std::to_string(i));
  return payloads;
}

}  // namespace shopstream::kafka
