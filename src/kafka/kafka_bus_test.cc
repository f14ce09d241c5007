// The Kafka connector against librdkafka's in-process mock cluster: real protocol, real
// consumer groups, injected broker errors, no broker to install.
#include "kafka/kafka_bus.h"

#include <gtest/gtest.h>
#include <librdkafka/rdkafka.h>

#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "kafka/kafka_config.h"
#include "kafka/kafka_publisher.h"
#include "kafka/kafka_source.h"
#include "kafka/mock_cluster.h"

namespace shopstream::kafka {
namespace {

using std::chrono::milliseconds;

constexpr int kMaxPolls = 240;  // bounds every wait: 240 polls of at most 250 ms
constexpr milliseconds kPollWait{250};
constexpr int16_t kProduceApiKey = 0;  // Kafka protocol number of Produce requests

std::unique_ptr<KafkaPublisher> OpenPublisher(MockCluster& cluster, const std::string& topic,
                                              const std::string& query = "",
                                              KafkaPublisherOptions options = {}) {
  auto publisher = KafkaPublisher::Open(cluster.UriFor(topic, query), options);
  EXPECT_TRUE(publisher.ok()) << publisher.status().ToString();
  return publisher.ok() ? std::move(publisher).value() : nullptr;
}

std::unique_ptr<KafkaSource> OpenSource(MockCluster& cluster, const std::string& topic,
                                        const std::string& group, const std::string& query = "") {
  KafkaSourceOptions options;
  options.group = group;
  auto source = KafkaSource::Open(
      cluster.UriFor(topic, "rdkafka.log_level=3" + (query.empty() ? "" : "&" + query)), options);
  EXPECT_TRUE(source.ok()) << source.status().ToString();
  return source.ok() ? std::move(source).value() : nullptr;
}

void Publish(MockCluster& cluster, const std::string& topic,
             const std::vector<std::string>& payloads) {
  // Without sticky partitioning every keyless message picks a partition of its own, so a
  // quick burst still reaches all partitions.
  auto publisher =
      OpenPublisher(cluster, topic, "rdkafka.log_level=3&rdkafka.sticky.partitioning.linger.ms=0");
  ASSERT_TRUE(publisher);
  ASSERT_TRUE(publisher->Publish(payloads).ok());
  Status flushed = publisher->Flush();
  ASSERT_TRUE(flushed.ok()) << flushed.ToString();
  EXPECT_EQ(publisher->delivered(), static_cast<int64_t>(payloads.size()));
}

// A message kept after its batch is gone (a Message points into its batch).
struct OwnedMessage {
  int32_t partition = 0;
  int64_t offset = 0;
  std::string payload;
};
OwnedMessage Own(const bus::Message& m) { return {m.partition, m.offset, std::string(m.payload)}; }

// Stands in for the processed store: offsets of record, updated when a batch is "stored".
struct FakeStore {
  OffsetMap next;
  std::vector<OwnedMessage> rows;
  void Install(bus::MessageSource& source) {
    source.SetAssignmentListener([this](const std::vector<int32_t>& partitions) {
      OffsetMap resume;
      for (int32_t p : partitions) {
        if (auto it = next.find(p); it != next.end()) resume[p] = it->second;
      }
      return resume;
    });
  }
  // Stores one batch the way the pipeline does and acknowledges it.
  void Consume(bus::MessageSource& source, size_t max = 100) {
    auto batch = source.Poll(max, kPollWait);
    ASSERT_TRUE(batch.ok()) << batch.status().ToString();
    OffsetMap acked;
    for (const bus::Message& m : *batch) {
      // Exactly once starts here: a row is only taken at the stored next offset.
      auto it = next.find(m.partition);
      if (it != next.end()) {
        ASSERT_EQ(m.offset, it->second) << "partition " << m.partition;
      }
      next[m.partition] = m.offset + 1;
      acked[m.partition] = m.offset + 1;
      rows.push_back(Own(m));
    }
    ASSERT_TRUE(source.Acknowledge(acked).ok());
  }
  std::multiset<std::string> Payloads() const {
    std::multiset<std::string> out;
    for (const OwnedMessage& m : rows) out.insert(m.payload);
    return out;
  }
};

std::multiset<std::string> AsSet(const std::vector<std::string>& v) { return {v.begin(), v.end()}; }

TEST(KafkaBusTest, PublishedMessagesAreReadBackExactlyOnce) {
  MockCluster cluster;
  cluster.CreateTopic("events", 4);
  auto sent = Payloads(0, 1000);
  Publish(cluster, "events", sent);

  auto source = OpenSource(cluster, "events", "g1");
  ASSERT_TRUE(source);
  EXPECT_EQ(source->stream_name(), "events");
  FakeStore store;
  store.Install(*source);
  for (int i = 0; i < kMaxPolls && store.rows.size() < sent.size(); ++i) store.Consume(*source);
  EXPECT_EQ(store.Payloads(), AsSet(sent));
  EXPECT_EQ(store.next.size(), 4u) << "messages without key spread over all partitions";
  // Nothing more arrives.
  auto extra = source->Poll(100, milliseconds(500));
  ASSERT_TRUE(extra.ok());
  EXPECT_TRUE(extra->empty());
  EXPECT_EQ(source->Lag(), 0);
}

// A prefetch queue far smaller than the topic: the fetcher stops at every refill and the
// source wakes it (fetch_waker.h); every message still arrives exactly once, in order.
TEST(KafkaBusTest, ASmallPrefetchQueueIsRefilledAndNothingIsLost) {
  MockCluster cluster;
  cluster.CreateTopic("small-queue", 1);
  auto sent = Payloads(0, 3000);
  Publish(cluster, "small-queue", sent);
  auto source =
      OpenSource(cluster, "small-queue", "g-small",
                 "rdkafka.queued.max.messages.kbytes=1&rdkafka.fetch.message.max.bytes=2048");
  ASSERT_TRUE(source);
  FakeStore store;
  store.Install(*source);
  for (int i = 0; i < 4 * kMaxPolls && store.rows.size() < sent.size(); ++i) store.Consume(*source);
  EXPECT_EQ(store.Payloads(), AsSet(sent));
  EXPECT_GT(source->fetcher_wakeups(), 0) << "the drained queue woke the fetcher";
}

TEST(KafkaBusTest, ReturnsBatchesInOffsetOrderPerPartition) {
  MockCluster cluster;
  cluster.CreateTopic("ordered", 2);
  Publish(cluster, "ordered", Payloads(0, 300));
  auto source = OpenSource(cluster, "ordered", "g1");
  ASSERT_TRUE(source);
  std::map<int32_t, int64_t> last;
  size_t total = 0;
  for (int i = 0; i < kMaxPolls && total < 300; ++i) {
    auto batch = source->Poll(64, kPollWait);
    ASSERT_TRUE(batch.ok());
    ASSERT_LE(batch->size(), 64u);
    for (size_t j = 0; j < batch->size(); ++j) {
      const bus::Message& m = (*batch)[j];
      if (j > 0) {
        ASSERT_LE((*batch)[j - 1].partition, m.partition) << "grouped by partition";
      }
      if (last.contains(m.partition)) {
        ASSERT_EQ(m.offset, last[m.partition] + 1);
      }
      last[m.partition] = m.offset;
    }
    total += batch->size();
  }
  EXPECT_EQ(total, 300u);
}

TEST(KafkaBusTest, ResumesFromTheOffsetsTheListenerReturns) {
  MockCluster cluster;
  cluster.CreateTopic("resume", 1);
  Publish(cluster, "resume", Payloads(0, 100));

  auto source = OpenSource(cluster, "resume", "g1");
  ASSERT_TRUE(source);
  std::vector<std::vector<int32_t>> calls;
  source->SetAssignmentListener([&](const std::vector<int32_t>& partitions) {
    calls.push_back(partitions);
    return OffsetMap{{0, 60}};
  });
  std::vector<OwnedMessage> got;
  for (int i = 0; i < kMaxPolls && got.size() < 40; ++i) {
    auto batch = source->Poll(100, kPollWait);
    ASSERT_TRUE(batch.ok());
    for (const bus::Message& m : *batch) got.push_back(Own(m));
  }
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0], std::vector<int32_t>{0});
  ASSERT_EQ(got.size(), 40u);
  EXPECT_EQ(got.front().offset, 60);
  EXPECT_EQ(got.front().payload, "event-60");
  EXPECT_EQ(got.back().payload, "event-99");
}

TEST(KafkaBusTest, LagCountsWhatIsNotYetReturned) {
  MockCluster cluster;
  cluster.CreateTopic("lag", 1);
  Publish(cluster, "lag", Payloads(0, 100));
  auto source = OpenSource(cluster, "lag", "g1");
  ASSERT_TRUE(source);
  size_t got = 0;
  for (int i = 0; i < kMaxPolls && got < 30; ++i) {
    auto batch = source->Poll(30 - got, kPollWait);
    ASSERT_TRUE(batch.ok());
    got += batch->size();
  }
  ASSERT_EQ(got, 30u);
  EXPECT_EQ(source->Lag(), 70);
}

TEST(KafkaBusTest, AcknowledgeCommitsOffsetsForLagTools) {
  MockCluster cluster;
  cluster.CreateTopic("acks", 1);
  Publish(cluster, "acks", Payloads(0, 50));
  auto source = OpenSource(cluster, "acks", "lagtools");
  ASSERT_TRUE(source);
  FakeStore store;
  store.Install(*source);
  for (int i = 0; i < kMaxPolls && store.rows.size() < 50; ++i) store.Consume(*source);
  ASSERT_EQ(store.rows.size(), 50u);

  // Read the group's committed offset the way a lag tool does, from another client.
  char errstr[256];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  rd_kafka_conf_set(conf, "bootstrap.servers", rd_kafka_mock_cluster_bootstraps(cluster.get()),
                    errstr, sizeof errstr);
  rd_kafka_conf_set(conf, "group.id", "lagtools", errstr, sizeof errstr);
  rd_kafka_t* observer = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, sizeof errstr);
  ASSERT_NE(observer, nullptr) << errstr;
  int64_t committed = -1;
  for (int i = 0; i < kMaxPolls && committed != 50; ++i) {
    (void)source->Poll(1, milliseconds(0));  // serves the commit's result
    rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(list, "acks", 0);
    if (rd_kafka_committed(observer, list, 5000) == RD_KAFKA_RESP_ERR_NO_ERROR) {
      committed = list->elems[0].offset;
    }
    rd_kafka_topic_partition_list_destroy(list);
  }
  EXPECT_EQ(committed, 50);
  rd_kafka_destroy(observer);
}

// The mock coordinator waits up to a session time-out for members to rejoin: keep it short.
constexpr const char* kQuickGroup =
    "rdkafka.session.timeout.ms=6000&rdkafka.heartbeat.interval.ms=500";

// Two members of one group on 4 partitions, the second joining while the first is reading,
// both storing into one offset store: every message is taken once, at its stored offset.
void TwoMembersSplitFourPartitions(const std::string& query) {
  MockCluster cluster;
  cluster.CreateTopic("split", 4);
  auto sent = Payloads(0, 2000);
  Publish(cluster, "split", sent);

  FakeStore store;  // one store shared by both members, as the processed database is
  // What the first member is told it gives up; declared first, as the member's destructor
  // (leaving the group) reports its last revocation too.
  std::set<int32_t> revoked_from_first;
  auto first = OpenSource(cluster, "split", "pair", query);
  ASSERT_TRUE(first);
  store.Install(*first);
  first->SetRevocationListener([&](const std::vector<int32_t>& partitions) {
    revoked_from_first.insert(partitions.begin(), partitions.end());
  });
  // The first member reads part of the topic alone, in small batches...
  for (int i = 0; i < kMaxPolls && store.rows.size() < 200; ++i) store.Consume(*first, 20);
  ASSERT_GE(store.rows.size(), 200u);
  ASSERT_LT(store.rows.size(), sent.size());
  // ...then the second joins and the group rebalances mid-way.
  auto second = OpenSource(cluster, "split", "pair", query);
  ASSERT_TRUE(second);
  store.Install(*second);
  for (int i = 0; i < 4 * kMaxPolls && store.rows.size() < sent.size(); ++i) {
    store.Consume(*first, 20);
    store.Consume(*second, 20);
  }
  EXPECT_EQ(store.Payloads(), AsSet(sent));
  // Both members settle on two partitions each, disjoint.
  for (int i = 0;
       i < kMaxPolls && (first->assignment().size() != 2 || second->assignment().size() != 2);
       ++i) {
    store.Consume(*first);
    store.Consume(*second);
  }
  auto a = first->assignment();
  auto b = second->assignment();
  EXPECT_EQ(a.size(), 2u);
  EXPECT_EQ(b.size(), 2u);
  std::set<int32_t> all(a.begin(), a.end());
  all.insert(b.begin(), b.end());
  EXPECT_EQ(all, (std::set<int32_t>{0, 1, 2, 3}));
  // The partitions the second member took over were revoked from the first, which was told.
  for (int32_t p : b) EXPECT_TRUE(revoked_from_first.contains(p)) << "partition " << p;
}

TEST(KafkaBusTest, TwoMembersOfOneGroupSplitFourPartitionsAndReadEachMessageOnce) {
  TwoMembersSplitFourPartitions(kQuickGroup);
}

TEST(KafkaBusTest, CooperativeStickyMembersSplitFourPartitionsAndReadEachMessageOnce) {
  TwoMembersSplitFourPartitions(std::string(kQuickGroup) +
                                "&rdkafka.partition.assignment.strategy=cooperative-sticky");
}

TEST(KafkaBusTest, ReadingGoesOnAfterABrokerOutage) {
  MockCluster cluster;
  cluster.CreateTopic("outage", 2);
  Publish(cluster, "outage", Payloads(0, 100));
  auto source = OpenSource(cluster, "outage", "g1");
  ASSERT_TRUE(source);
  FakeStore store;
  store.Install(*source);
  for (int i = 0; i < kMaxPolls && store.rows.size() < 100; ++i) store.Consume(*source);
  ASSERT_EQ(store.rows.size(), 100u);

  rd_kafka_mock_broker_set_down(cluster.get(), 1);
  // During the outage Poll() returns nothing or a retryable status, never a final error.
  for (int i = 0; i < 12; ++i) {
    auto batch = source->Poll(100, kPollWait);
    if (batch.ok()) {
      EXPECT_TRUE(batch->empty());
    } else {
      EXPECT_TRUE(batch.status().retryable()) << batch.status().ToString();
    }
  }
  rd_kafka_mock_broker_set_up(cluster.get(), 1);

  Publish(cluster, "outage", Payloads(100, 50));
  for (int i = 0; i < kMaxPolls && store.rows.size() < 150; ++i) {
    auto batch = source->Poll(100, kPollWait);
    if (!batch.ok()) continue;  // the last of the outage
    for (const bus::Message& m : *batch) {
      ASSERT_EQ(m.offset, store.next[m.partition]);
      store.next[m.partition] = m.offset + 1;
      store.rows.push_back(Own(m));
    }
  }
  EXPECT_EQ(store.Payloads(), AsSet(Payloads(0, 150)));
}

TEST(KafkaBusTest, BackpressureNeverDropsWhenTheLocalQueueIsFull) {
  MockCluster cluster;
  cluster.CreateTopic("small-queue", 2);
  KafkaPublisherOptions options;
  options.queue_messages = 10;
  auto publisher = OpenPublisher(cluster, "small-queue", "rdkafka.log_level=3", options);
  ASSERT_TRUE(publisher);
  ASSERT_TRUE(publisher->Publish(Payloads(0, 2000)).ok());
  ASSERT_TRUE(publisher->Flush().ok());
  EXPECT_EQ(publisher->delivered(), 2000);
  EXPECT_EQ(publisher->delivery_errors(), 0);
}

TEST(KafkaBusTest, DeliveryErrorsAreCountedAndTheFirstOneIsKept) {
  MockCluster cluster;
  cluster.CreateTopic("failing", 1);
  // One request at a time, so each injected error fails exactly one batch.
  auto publisher =
      OpenPublisher(cluster, "failing", "rdkafka.log_level=0&rdkafka.batch.num.messages=1");
  ASSERT_TRUE(publisher);
  rd_kafka_mock_push_request_errors(
      cluster.get(), kProduceApiKey, 3, RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE,
      RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE, RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE);
  ASSERT_TRUE(publisher->Publish(Payloads(0, 20)).ok());
  Status flushed = publisher->Flush();
  EXPECT_FALSE(flushed.ok());
  EXPECT_EQ(publisher->delivery_errors(), 3);
  EXPECT_EQ(publisher->delivered(), 17);
  EXPECT_NE(publisher->first_error().find("too large"), std::string::npos)
      << publisher->first_error();
  EXPECT_NE(flushed.message().find("3 of 20"), std::string::npos) << flushed.ToString();
}

TEST(KafkaBusTest, MessagesTimingOutWhileTheBrokerIsDownAreFailuresNotLosses) {
  MockCluster cluster;
  cluster.CreateTopic("down", 1);
  auto publisher =
      OpenPublisher(cluster, "down", "rdkafka.log_level=0&rdkafka.message.timeout.ms=1500");
  ASSERT_TRUE(publisher);
  rd_kafka_mock_broker_set_down(cluster.get(), 1);
  ASSERT_TRUE(publisher->Publish(Payloads(0, 10)).ok());
  Status flushed = publisher->Flush();
  EXPECT_TRUE(flushed.retryable()) << flushed.ToString();
  EXPECT_EQ(publisher->delivery_errors(), 10);
  EXPECT_EQ(publisher->delivered(), 0);
}

TEST(KafkaBusTest, AnExistingTopicIsUsedAsItIs) {
  MockCluster cluster;
  cluster.CreateTopic("existing", 2);
  KafkaPublisherOptions options;
  options.partitions = 8;
  EXPECT_TRUE(OpenPublisher(cluster, "existing", "rdkafka.log_level=3", options));
}

TEST(KafkaBusTest, RefusesBadUrisAndSettings) {
  auto check = [&](const std::string& text, const std::string& expected) {
    auto uri = ParseUri(text);
    ASSERT_TRUE(uri.ok()) << text;
    auto publisher = OpenKafkaPublisher(*uri, {});
    ASSERT_FALSE(publisher.ok()) << text;
    EXPECT_EQ(publisher.status().code(), StatusCode::kInvalidArgument) << text;
    EXPECT_NE(publisher.status().message().find(expected), std::string::npos)
        << publisher.status().ToString();
  };
  check("kafka://localhost:9092/", "bad topic name");
  check("kafka://localhost:9092/has space", "bad topic name");
  check("kafka://localhost:9092/t?lingerms=5", "unknown parameter 'lingerms'");
  check("kafka://localhost:9092/t?rdkafka.no.such.key=1", "no.such.key=***");  // "key": masked
  check("kafka://localhost:9092/t?rdkafka.no.such.setting=1", "no.such.setting=1");
  check("kafka://localhost:9092/t?partitions=zero", "partitions must be a positive number");
  check("kafka://localhost:9092/t?rdkafka.sasl.password=hunter2", "cannot be given in a URI");
  check("kafka://localhost:9092/t?option-file=/no/such/file", "cannot read the Kafka option file");
  auto uri = ParseUri("kafka://localhost:9092/t?start=middle");
  ASSERT_TRUE(uri.ok());
  auto source = OpenKafkaSource(*uri, {});
  ASSERT_FALSE(source.ok());
  EXPECT_EQ(source.status().code(), StatusCode::kInvalidArgument);
}

TEST(KafkaConfigTest, SecretsComeFromTheOptionFileAndTheEnvironment) {
  const std::string path = ::testing::TempDir() + "/kafka-options.properties";
  {
    std::ofstream out(path);
    out << "# client credentials\n\nsecurity.protocol=SASL_PLAINTEXT\nsasl.password = s3cret=x\n";
  }
  auto uri = ParseUri("kafka://localhost:9092/t?option-file=" + path + "&rdkafka.linger.ms=7");
  ASSERT_TRUE(uri.ok());
  setenv("SHOPSTREAM_KAFKA_USER", "alice", 1);
  auto endpoint = kafka::ParseEndpoint(*uri, {});
  unsetenv("SHOPSTREAM_KAFKA_USER");
  ASSERT_TRUE(endpoint.ok()) << endpoint.status().ToString();
  EXPECT_EQ(endpoint->passthrough, (kafka::Settings{{"security.protocol", "SASL_PLAINTEXT"},
                                                    {"sasl.password", " s3cret=x"},
                                                    {"linger.ms", "7"},
                                                    {"sasl.username", "alice"}}));
  {
    std::ofstream out(path);
    out << "no equals sign\n";
  }
  auto bad = kafka::ParseEndpoint(*uri, {});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find(":1: expected key=value"), std::string::npos);
  auto conf = kafka::MakeConf({{"sasl.password.typo", "hunter2"}}, "here");
  ASSERT_FALSE(conf.ok());
  EXPECT_EQ(conf.status().message().find("hunter2"), std::string::npos);
  EXPECT_NE(conf.status().message().find("sasl.password.typo=***"), std::string::npos);
}

TEST(KafkaBusTest, UnreachableBrokersAreUnavailable) {
  // Nothing listens on port 1; creating the topic cannot get an answer.
  auto uri = ParseUri("kafka://127.0.0.1:1/t?rdkafka.log_level=0");
  ASSERT_TRUE(uri.ok());
  KafkaPublisherOptions options;
  options.admin_timeout = milliseconds(1000);
  auto publisher = OpenKafkaPublisher(*uri, options);
  ASSERT_FALSE(publisher.ok());
  EXPECT_TRUE(publisher.status().retryable()) << publisher.status().ToString();
}

}  // namespace
}  // namespace shopstream::kafka
