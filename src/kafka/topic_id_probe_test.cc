// The topic-id probe against a one-shot fake broker on a loopback port: it sends one Metadata
// request and takes the answer apart; brokers that are away, answer nonsense or want TLS/SASL.
#include "kafka/topic_id_probe.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>
#include <thread>

#include "kafka/metadata_captures.h"

namespace shopstream::kafka {
namespace {

std::string Sized(const std::string& body) {
  std::string out(4, '\0');
  for (int i = 0; i < 4; ++i) out[i] = static_cast<char>((body.size() >> (24 - 8 * i)) & 0xFF);
  return out + body;
}

// Accepts one connection, keeps what it receives (until the request is whole), sends `reply`.
class FakeBroker {
 public:
  explicit FakeBroker(std::string reply) : reply_(std::move(reply)) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    listen(fd_, 1);
    socklen_t len = sizeof addr;
    getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { Serve(); });
  }
  ~FakeBroker() {
    thread_.join();
    close(fd_);
  }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
  const std::string& received() const { return received_; }

 private:
  void Serve() {
    int client = accept(fd_, nullptr, nullptr);
    if (client < 0) return;
    char buffer[4096];
    while (received_.size() < 4 || received_.size() < 4 + RequestSize()) {
      ssize_t n = recv(client, buffer, sizeof buffer, 0);
      if (n <= 0) break;
      received_.append(buffer, static_cast<size_t>(n));
    }
    send(client, reply_.data(), reply_.size(), MSG_NOSIGNAL);
    close(client);
  }
  size_t RequestSize() const {
    size_t size = 0;
    for (int i = 0; i < 4; ++i) size = (size << 8) | static_cast<uint8_t>(received_[i]);
    return size;
  }

  std::string reply_;
  std::string received_;
  int fd_ = -1;
  int port_ = 0;
  std::thread thread_;
};

constexpr std::chrono::milliseconds kTimeout{5000};

TEST(TopicIdProbe, AsksOneBrokerAndReadsTheId) {
  FakeBroker broker(Sized(kCapturedTwoPartitions));
  // The first broker listed is away: the next one is asked.
  auto id = FetchTopicId("127.0.0.1:1," + broker.address(), "shopstream-topicid-capture", kTimeout);
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  EXPECT_EQ(FormatTopicId(*id), "Yr79TC7eRIW2Jeqm5PXf3A");
  EXPECT_EQ(broker.received(),
            EncodeMetadataRequest(1, "shopstream-topic-id", "shopstream-topicid-capture"));
}

TEST(TopicIdProbe, AnUnknownTopicIsNotFound) {
  FakeBroker broker(Sized(kCapturedUnknown));
  auto id = FetchTopicId(broker.address(), "shopstream-topicid-capture", kTimeout);
  EXPECT_EQ(id.status().code(), StatusCode::kNotFound) << id.status().ToString();
}

TEST(TopicIdProbe, AnAnswerAboutAnotherTopicIsRefused) {
  FakeBroker broker(Sized(kCapturedTwoPartitions));
  auto id = FetchTopicId(broker.address(), "other", kTimeout);
  EXPECT_EQ(id.status().code(), StatusCode::kCorruption) << id.status().ToString();
}

TEST(TopicIdProbe, ATlsListenersBytesAreNotAResponse) {
  // A TLS alert record read as a size: far beyond any metadata response.
  FakeBroker broker(CapturedBytes("15030300020228"));
  auto id = FetchTopicId(broker.address(), "t", kTimeout);
  EXPECT_EQ(id.status().code(), StatusCode::kCorruption) << id.status().ToString();
}

TEST(TopicIdProbe, NoBrokerIsUnavailable) {
  auto id = FetchTopicId("127.0.0.1:1", "t", kTimeout);
  EXPECT_EQ(id.status().code(), StatusCode::kUnavailable) << id.status().ToString();
}

TEST(TopicIdProbe, OnlyPlaintextListenersAreAsked) {
  EXPECT_TRUE(ProbeCanConnect({}));
  EXPECT_TRUE(ProbeCanConnect({{"security.protocol", "PLAINTEXT"}}));
  EXPECT_FALSE(ProbeCanConnect({{"security.protocol", "SASL_PLAINTEXT"}}));
  EXPECT_FALSE(ProbeCanConnect({{"security.protocol", "ssl"}}));
  EXPECT_FALSE(
      ProbeCanConnect({{"security.protocol", "plaintext"}, {"security.protocol", "sasl_ssl"}}));
}

}  // namespace
}  // namespace shopstream::kafka
