// The Publisher and MessageSource contract (bus/bus.h), stated once and run on every bus: the
// embedded log and Kafka (on librdkafka's in-process mock cluster, so it always runs; the real
// broker is exercised by the integration tests). Both are reached through their URIs, as the
// commands reach them.
#include <gtest/gtest.h>
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <unistd.h>

#include <filesystem>

#include "bus/memory_source.h"
#include "endpoints/open_bus.h"

namespace shopstream::conformance {
namespace {

using std::chrono::milliseconds;

constexpr int kMaxPolls = 240;  // bounds every wait: 240 polls of at most 250 ms
constexpr milliseconds kPollWait{250};

// A bus under test: how to publish to it, and a new source reading it.
class Bus {
 public:
  virtual ~Bus() = default;
  virtual void Publish(const std::vector<std::string>& payloads) = 0;
  virtual std::unique_ptr<bus::MessageSource> Source(bool start_latest) = 0;
};

// A bus opened by URI, as the commands open it.
class UriBus : public Bus {
 public:
  virtual std::string Uri() const = 0;
  void Publish(const std::vector<std::string>& payloads) override {
    auto publisher = endpoints::OpenPublisher(Uri(), {});
    ASSERT_TRUE(publisher.ok()) << publisher.status().ToString();
    ASSERT_TRUE((*publisher)->Publish(payloads).ok());
    Status flushed = (*publisher)->Flush();
    ASSERT_TRUE(flushed.ok()) << flushed.ToString();
    EXPECT_EQ((*publisher)->delivery_errors(), 0);
  }
  std::unique_ptr<bus::MessageSource> Source(bool start_latest) override {
    auto source = endpoints::OpenSource(Uri(), {.group = "contract", .start_latest = start_latest});
    EXPECT_TRUE(source.ok()) << source.status().ToString();
    return source.ok() ? std::move(source).value() : nullptr;
  }
};

// The tests' fake bus (bus/memory_source.h) keeps the same contract as the real ones.
class Memory final : public Bus {
 public:
  void Publish(const std::vector<std::string>& payloads) override {
    partitions_->Append(0, payloads);
  }
  std::unique_ptr<bus::MessageSource> Source(bool start_latest) override {
    return std::make_unique<bus::MemorySource>(
        partitions_, bus::MemorySourceOptions{.start_latest = start_latest});
  }

 private:
  std::shared_ptr<bus::MemoryPartitions> partitions_ = std::make_shared<bus::MemoryPartitions>();
};

class EmbeddedLog final : public UriBus {
 public:
  EmbeddedLog() {
    dir_ = std::filesystem::temp_directory_path() /
           ("bus_contract_" + std::to_string(getpid()) + "_" + std::to_string(counter_++));
    std::filesystem::create_directories(dir_);
  }
  ~EmbeddedLog() override { std::filesystem::remove_all(dir_); }
  std::string Uri() const override { return "sqlite://" + (dir_ / "log.db").string(); }

 private:
  static inline int counter_ = 0;
  std::filesystem::path dir_;
};

class MockKafka final : public UriBus {
 public:
  MockKafka() {
    char errstr[256];
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "log_level", "3", errstr, sizeof errstr);
    owner_ = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
    cluster_ = rd_kafka_mock_cluster_new(owner_, 1);
    rd_kafka_mock_topic_create(cluster_, "events", 1, 1);
  }
  ~MockKafka() override {
    rd_kafka_mock_cluster_destroy(cluster_);
    rd_kafka_destroy(owner_);
  }
  std::string Uri() const override {
    return std::string("kafka://") + rd_kafka_mock_cluster_bootstraps(cluster_) +
           "/events?rdkafka.log_level=3";
  }

 private:
  rd_kafka_t* owner_ = nullptr;
  rd_kafka_mock_cluster_t* cluster_ = nullptr;
};

struct BusCase {
  const char* name;
  std::function<std::unique_ptr<Bus>()> make;
};
const std::vector<BusCase>& Buses() {
  static const std::vector<BusCase> buses = {
      {"embedded_log", [] { return std::unique_ptr<Bus>(new EmbeddedLog); }},
      {"kafka", [] { return std::unique_ptr<Bus>(new MockKafka); }},
      {"memory", [] { return std::unique_ptr<Bus>(new Memory); }},
  };
  return buses;
}

std::vector<std::string> Payloads(int first, int count) {
  std::vector<std::string> out;
  for (int i = first; i < first + count; ++i) out.push_back("event-" + std::to_string(i));
  return out;
}

class MessageSourceContract : public ::testing::TestWithParam<size_t> {
 protected:
  void SetUp() override { bus_ = Buses()[GetParam()].make(); }

  void Publish(const std::vector<std::string>& payloads) { bus_->Publish(payloads); }
  std::unique_ptr<bus::MessageSource> Source(bool start_latest = false) {
    return bus_->Source(start_latest);
  }

  // Polls until `count` messages arrived (or the bounded polls run out).
  static bus::MessageBatch Read(bus::MessageSource& source, size_t count) {
    bus::MessageBatch got;  // each poll appends to it
    for (int i = 0; i < kMaxPolls && got.size() < count; ++i) {
      Status s = source.PollInto(count - got.size(), kPollWait, &got);
      EXPECT_TRUE(s.ok()) << s.ToString();
      if (!s.ok()) break;
    }
    return got;
  }

  std::unique_ptr<Bus> bus_;
};

TEST_P(MessageSourceContract, EveryMessageIsReadOnceInOffsetOrder) {
  Publish(Payloads(0, 120));
  Publish(Payloads(120, 80));
  auto source = Source();
  ASSERT_TRUE(source);
  auto got = Read(*source, 200);
  ASSERT_EQ(got.size(), 200u);
  for (size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(got[i].payload, "event-" + std::to_string(i));
    EXPECT_EQ(got[i].offset, got[0].offset + static_cast<int64_t>(i));
    EXPECT_EQ(got[i].partition, 0);
  }
  auto more = source->Poll(10, milliseconds(50));
  ASSERT_TRUE(more.ok());
  EXPECT_TRUE(more->empty());
  EXPECT_FALSE(source->stream_name().empty());
}

TEST_P(MessageSourceContract, ResumesWhereTheListenerSaysAndCountsTheLag) {
  Publish(Payloads(0, 100));
  auto source = Source();
  ASSERT_TRUE(source);
  std::vector<std::vector<int32_t>> calls;
  source->SetAssignmentListener([&](const std::vector<int32_t>& partitions) {
    calls.push_back(partitions);
    return OffsetMap{{0, 60}};
  });
  auto got = Read(*source, 30);
  ASSERT_EQ(got.size(), 30u);
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0], std::vector<int32_t>{0});
  EXPECT_EQ(got.front().offset, 60);
  EXPECT_EQ(got.front().payload, "event-60");
  EXPECT_EQ(source->Lag(), 10);
}

TEST_P(MessageSourceContract, WithoutStoredOffsetsLatestSkipsWhatIsThere) {
  Publish(Payloads(0, 50));
  auto source = Source(/*start_latest=*/true);
  ASSERT_TRUE(source);
  bool assigned = false;
  source->SetAssignmentListener([&](const std::vector<int32_t>&) {
    assigned = true;
    return OffsetMap{};  // no offsets of record: the source's start position applies
  });
  // Assigned at the end: nothing old comes, whatever comes later does.
  for (int i = 0; i < kMaxPolls && !assigned; ++i) {
    auto batch = source->Poll(100, kPollWait);
    ASSERT_TRUE(batch.ok());
    ASSERT_TRUE(batch->empty()) << (*batch)[0].payload;
  }
  ASSERT_TRUE(assigned);
  // The start is a number the consumer can store, so that a restart resumes there.
  const OffsetMap starts = source->TakeStartPositions();
  EXPECT_FALSE(starts.empty());
  int64_t ends = 0;
  for (const auto& [partition, offset] : starts) ends += offset;
  EXPECT_EQ(ends, 50);
  // Kafka resolves "the end" a moment after the assignment: publish one message at a time
  // until the first arrives. Whichever it is, it is a new one, never one of the 50 before.
  bus::MessageBatch got;
  for (int n = 50; n < 50 + kMaxPolls && got.empty(); ++n) {
    Publish(Payloads(n, 1));
    for (int i = 0; i < 4 && got.empty(); ++i) {
      ASSERT_TRUE(source->PollInto(10, kPollWait, &got).ok());
    }
  }
  ASSERT_FALSE(got.empty());
  EXPECT_GE(std::stoi(std::string(got.front().payload.substr(6))), 50) << got.front().payload;
}

INSTANTIATE_TEST_SUITE_P(EveryBus, MessageSourceContract,
                         ::testing::Range(size_t{0}, Buses().size()),
                         [](const auto& info) { return std::string(Buses()[info.param].name); });

}  // namespace
}  // namespace shopstream::conformance
