#include "alert/webhook.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

namespace shopstream::alert {
namespace {

// A loopback server that answers each connection with the next of `answers` and keeps what
// each request held.
class LoopbackServer {
 public:
  explicit LoopbackServer(std::vector<std::string> answers) : answers_(std::move(answers)) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    listen(fd_, 8);
    socklen_t len = sizeof addr;
    getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] {
      for (const std::string& answer : answers_) {
        const int c = accept(fd_, nullptr, nullptr);
        if (c < 0) return;
        std::string request;
        char buf[4096];
        // Until the body's closing brace: the webhook sends one JSON object.
        while (request.empty() || request.back() != '}') {
          const ssize_t n = recv(c, buf, sizeof buf, 0);
          if (n <= 0) break;
          request.append(buf, static_cast<size_t>(n));
        }
        requests_.push_back(request);
        send(c, answer.data(), answer.size(), MSG_NOSIGNAL);
        close(c);
      }
    });
  }
  ~LoopbackServer() {
    shutdown(fd_, SHUT_RDWR);
    close(fd_);
    thread_.join();
  }
  int port() const { return port_; }
  const std::vector<std::string>& requests() const { return requests_; }

 private:
  std::vector<std::string> answers_;
  std::vector<std::string> requests_;
  int fd_ = -1, port_ = 0;
  std::thread thread_;
};

template <typename Condition>
bool PollFor(Condition done) {
  for (int i = 0; i < 500 && !done(); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  return done();
}

TEST(Webhook, RetriesWithBackoffUntilDelivered) {
  LoopbackServer server({"HTTP/1.1 503 Busy\r\n\r\n", "HTTP/1.1 204 No Content\r\n\r\n"});
  WebhookConfig config;
  config.url = "http://127.0.0.1:" + std::to_string(server.port()) + "/hook";
  config.secret = "s3cret";
  config.first_backoff = std::chrono::milliseconds(20);
  {
    Webhook hook(config);
    hook.Offer(R"({"rule":"purchases_drop","state":"fired"})");
    ASSERT_TRUE(PollFor([&] { return hook.delivered() == 1; }));
    EXPECT_EQ(hook.attempts(), 2);
    EXPECT_EQ(hook.failed(), 0);
  }
  ASSERT_EQ(server.requests().size(), 2u);
  const std::string& r = server.requests()[1];
  EXPECT_EQ(r.rfind("POST /hook HTTP/1.1\r\n", 0), 0u);
  EXPECT_NE(r.find("Authorization: Bearer s3cret\r\n"), std::string::npos);
  EXPECT_NE(r.find("Content-Type: application/json\r\n"), std::string::npos);
  EXPECT_NE(r.find("\r\n\r\n{\"rule\":\"purchases_drop\",\"state\":\"fired\"}"), std::string::npos);
}

TEST(Webhook, GivesUpAfterItsAttemptsWithoutHoldingTheCaller) {
  LoopbackServer server({"HTTP/1.1 500 No\r\n\r\n", "HTTP/1.1 500 No\r\n\r\n"});
  WebhookConfig config;
  config.url = "http://127.0.0.1:" + std::to_string(server.port());
  config.attempts = 2;
  config.first_backoff = std::chrono::milliseconds(10);
  Webhook hook(config);
  hook.Offer("{}");  // returns at once
  ASSERT_TRUE(PollFor([&] { return hook.failed() == 1; }));
  EXPECT_EQ(hook.delivered(), 0);
  EXPECT_EQ(hook.attempts(), 2);
}

TEST(Webhook, UrlsAreHttpWithAHost) {
  EXPECT_TRUE(ParseHttpUrl("http://127.0.0.1:9/x").ok());
  EXPECT_EQ(ParseHttpUrl("http://example.com").value().port, 80);
  for (const char* bad : {"https://a/", "http://", "http://:80/", "http://a:0/", "http://a:x/",
                          "http://u:p@a/", "http://a/ b", "ftp://a"}) {
    EXPECT_FALSE(ParseHttpUrl(bad).ok()) << bad;
  }
}

}  // namespace
}  // namespace shopstream::alert
