#include "serve/http_server.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <ctime>
#include <memory>
#include <thread>

namespace shopstream::serve {
namespace {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

// A raw client over loopback: what it sends is exactly what the test writes.
class RawClient {
 public:
  explicit RawClient(int port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  }
  ~RawClient() { ::close(fd_); }
  bool connected() const { return connected_; }

  bool Send(std::string_view bytes) {
    return ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL) ==
           static_cast<ssize_t>(bytes.size());
  }
  void ShutdownWrite() { ::shutdown(fd_, SHUT_WR); }

  // Reads until `done(received)` holds, the server closes, or `timeout` passes. Returns what
  // was received; closed() says whether the server closed.
  std::string ReadUntil(const std::function<bool(const std::string&)>& done,
                        milliseconds timeout = milliseconds(10000)) {
    const auto deadline = Clock::now() + timeout;
    while (!done(received_) && !closed_) {
      auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now()).count();
      if (left <= 0) break;
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left)) <= 0) continue;
      char buf[65536];
      ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) {
        closed_ = true;
        break;
      }
      received_.append(buf, static_cast<size_t>(n));
    }
    return received_;
  }
  // Reads one whole response with a Content-Length, and removes it from what was received.
  std::string ReadResponse(milliseconds timeout = milliseconds(10000)) {
    auto complete = [](const std::string& r) { return ResponseSize(r) != 0; };
    ReadUntil(complete, timeout);
    size_t size = ResponseSize(received_);
    if (size == 0) return std::exchange(received_, {});
    std::string one = received_.substr(0, size);
    received_.erase(0, size);
    return one;
  }
  std::string ReadToClose(milliseconds timeout = milliseconds(10000)) {
    return ReadUntil([](const std::string&) { return false; }, timeout);
  }
  bool closed() const { return closed_; }

  // The size of the first response in `r` when it is complete, else 0.
  static size_t ResponseSize(const std::string& r) {
    size_t head = r.find("\r\n\r\n");
    if (head == std::string::npos) return 0;
    size_t cl = r.find("Content-Length: ");
    if (cl == std::string::npos || cl > head) return 0;
    size_t length = std::stoul(r.substr(cl + 16));
    return r.size() >= head + 4 + length ? head + 4 + length : 0;
  }

 private:
  int fd_ = -1;
  bool connected_ = false;
  bool closed_ = false;
  std::string received_;
};

// CPU time used by this process (the server's threads included).
milliseconds ProcessCpu() {
  timespec t{};
  ::clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return milliseconds(t.tv_sec * 1000 + t.tv_nsec / 1000000);
}

int StatusOf(const std::string& response) {
  if (response.size() < 12 || response.compare(0, 9, "HTTP/1.1 ") != 0) return 0;
  return std::stoi(response.substr(9, 3));
}

std::string BodyOf(const std::string& response) {
  size_t head = response.find("\r\n\r\n");
  return head == std::string::npos ? "" : response.substr(head + 4);
}

// Answers "<method> <path> <body>", or an event stream on /events.
HttpResponse Echo(const HttpRequest& req) {
  HttpResponse res;
  if (req.path == "/events") {
    res.event_stream = true;
    res.greeting = [] { return std::string("hello\n"); };
    return res;
  }
  res.SetHeader("Content-Type", "text/plain");
  res.body = req.method + " " + req.path + " " + req.body;
  return res;
}

class HttpServerTest : public ::testing::Test {
 protected:
  void Start(HttpServerOptions options = {}) {
    options.common_headers = {{"X-Test", "1"}};
    ASSERT_TRUE(server_.Start("127.0.0.1", 0, Echo, options).ok());
  }
  std::unique_ptr<RawClient> Connect() {
    auto c = std::make_unique<RawClient>(server_.port());
    EXPECT_TRUE(c->connected());
    return c;
  }
  std::string Get(const std::string& path) {
    auto c = Connect();
    c->Send("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    return c->ReadResponse();
  }
  HttpServer server_;
};

TEST_F(HttpServerTest, AnswersSeveralRequestsOnOneConnection) {
  Start();
  auto c = Connect();
  c->Send("GET /a HTTP/1.1\r\nHost: x\r\n\r\n");
  std::string first = c->ReadResponse();
  EXPECT_EQ(StatusOf(first), 200);
  EXPECT_EQ(BodyOf(first), "GET /a ");
  EXPECT_NE(first.find("\r\nX-Test: 1\r\n"), std::string::npos) << first;
  EXPECT_EQ(first.find("Connection:"), std::string::npos) << first;
  // Two requests in one write come back in order; a body is read by its length.
  c->Send(
      "POST /b HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhelloGET /c HTTP/1.1\r\n"
      "Host: x\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(BodyOf(c->ReadResponse()), "POST /b hello");
  std::string last = c->ReadResponse();
  EXPECT_EQ(BodyOf(last), "GET /c ");
  EXPECT_NE(last.find("Connection: close"), std::string::npos);
  c->ReadToClose();
  EXPECT_TRUE(c->closed());
}

TEST_F(HttpServerTest, HeadAnswersHaveNoBody) {
  Start();
  auto c = Connect();
  c->Send("HEAD /a HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  std::string all = c->ReadToClose();
  EXPECT_EQ(StatusOf(all), 200);
  EXPECT_NE(all.find("Content-Length: 8\r\n"), std::string::npos) << all;  // "HEAD /a "
  EXPECT_EQ(BodyOf(all), "");
}

TEST_F(HttpServerTest, AHalfClosedClientGetsItsAnswers) {
  Start();
  auto c = Connect();
  c->Send("GET /a HTTP/1.0\r\n\r\n");
  c->ShutdownWrite();
  std::string all = c->ReadToClose();
  EXPECT_EQ(BodyOf(all), "GET /a ");
  EXPECT_TRUE(c->closed());
  // Every request completed before the end, then the end.
  auto d = Connect();
  d->Send("GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\n\r\nGET /c HTTP/1.1");
  d->ShutdownWrite();
  EXPECT_EQ(BodyOf(d->ReadResponse()), "GET /a ");
  EXPECT_EQ(BodyOf(d->ReadResponse()), "GET /b ");
  EXPECT_EQ(d->ReadToClose(), "");
  EXPECT_TRUE(d->closed());
}

TEST_F(HttpServerTest, ABodyOverTheLimitIs413BeforeItIsSent) {
  HttpServerOptions options;
  options.max_body_bytes = 1024;
  Start(options);
  auto c = Connect();
  c->Send("POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 400000000\r\n\r\n");
  std::string res = c->ReadResponse();
  EXPECT_EQ(StatusOf(res), 413) << res;
  EXPECT_NE(res.find("Connection: close"), std::string::npos);
  // A body that is sent anyway is dropped, and the answer survives it.
  auto d = Connect();
  d->Send("POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 10000\r\n\r\n" + std::string(10000, 'x'));
  EXPECT_EQ(StatusOf(d->ReadResponse()), 413);
  // At the limit it is served.
  auto e = Connect();
  e->Send("POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 1024\r\n\r\n" + std::string(1024, 'y'));
  EXPECT_EQ(BodyOf(e->ReadResponse()), "POST /a " + std::string(1024, 'y'));
}

TEST_F(HttpServerTest, AHeadOverTheLimitIs431) {
  HttpServerOptions options;
  options.max_head_bytes = 2048;
  Start(options);
  auto c = Connect();
  c->Send("GET /a HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(4000, 'a') + "\r\n\r\n");
  EXPECT_EQ(StatusOf(c->ReadResponse()), 431);
  // One that never ends is cut off as soon as it passes the limit.
  auto d = Connect();
  d->Send("GET /a HTTP/1.1\r\nX-Big: " + std::string(4000, 'a'));
  EXPECT_EQ(StatusOf(d->ReadResponse()), 431);
}

TEST_F(HttpServerTest, MalformedRequestsAre400AndClose) {
  Start();
  auto c = Connect();
  c->Send("GET /a HTTP/1.1\r\nBad Header\r\n\r\n");
  std::string all = c->ReadToClose();
  EXPECT_EQ(StatusOf(all), 400);
  EXPECT_NE(BodyOf(all).find("\"error\""), std::string::npos) << all;
  EXPECT_TRUE(c->closed());
}

TEST_F(HttpServerTest, ASlowHeaderClientIsCutOffWith408) {
  HttpServerOptions options;
  options.request_timeout = milliseconds(300);
  Start(options);
  auto c = Connect();
  c->Send("GET /a HTTP/1.1\r\n");
  // One header line every 50 ms would go on for 10 s; the deadline ends it long before.
  std::string got;
  for (int i = 0; i < 200 && !c->closed() && got.empty(); ++i) {
    c->Send("X-" + std::to_string(i) + ": 1\r\n");
    got = c->ReadUntil([](const std::string& r) { return !r.empty(); }, milliseconds(50));
  }
  got = c->ReadToClose();
  EXPECT_EQ(StatusOf(got), 408) << got;
  EXPECT_TRUE(c->closed());
}

TEST_F(HttpServerTest, IdleConnectionsAreClosed) {
  HttpServerOptions options;
  options.idle_timeout = milliseconds(200);
  Start(options);
  auto c = Connect();
  EXPECT_EQ(c->ReadToClose(), "");  // never sent a byte: closed without an answer
  EXPECT_TRUE(c->closed());
  auto d = Connect();
  d->Send("GET /a HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(StatusOf(d->ReadResponse()), 200);
  d->ReadToClose();  // then idle between requests
  EXPECT_TRUE(d->closed());
}

TEST_F(HttpServerTest, AConnectionServesAtMostItsRequests) {
  HttpServerOptions options;
  options.max_requests_per_connection = 2;
  Start(options);
  auto c = Connect();
  c->Send("GET /a HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(c->ReadResponse().find("Connection: close"), std::string::npos);
  c->Send("GET /b HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_NE(c->ReadResponse().find("Connection: close"), std::string::npos);
  c->ReadToClose();
  EXPECT_TRUE(c->closed());
}

TEST_F(HttpServerTest, FiftySlowAndIdleClientsDoNotStarveOthers) {
  HttpServerOptions options;
  options.workers = 2;
  options.request_timeout = milliseconds(60000);
  options.idle_timeout = milliseconds(60000);
  Start(options);
  std::vector<std::unique_ptr<RawClient>> hostile;
  for (int i = 0; i < 50; ++i) {
    hostile.push_back(Connect());
    if (i % 2 == 0) hostile.back()->Send("GET /slow HTTP/1.1\r\nHost: x\r\nX-A: 1\r\n");
  }
  for (int i = 0; i < 20; ++i) {
    std::string res = Get("/healthz");
    ASSERT_EQ(StatusOf(res), 200) << i << ": " << res;
    for (int k = 0; k < 50; k += 2) hostile[k]->Send("X-More: 1\r\n");
  }
}

TEST_F(HttpServerTest, AtTheConnectionCapTheOldestWaitingConnectionGoes) {
  HttpServerOptions options;
  options.max_connections = 4;
  options.idle_timeout = milliseconds(60000);  // only the cap may close them
  Start(options);
  std::vector<std::unique_ptr<RawClient>> idle;
  for (int i = 0; i < 4; ++i) {
    idle.push_back(Connect());
    // Each accepted before the next: a request answered on each proves it.
    idle.back()->Send("GET /x HTTP/1.1\r\nHost: x\r\n\r\n");
    ASSERT_EQ(StatusOf(idle.back()->ReadResponse()), 200);
  }
  EXPECT_EQ(StatusOf(Get("/new")), 200);
  idle[0]->ReadToClose();
  EXPECT_TRUE(idle[0]->closed());
}

TEST_F(HttpServerTest, EventStreamsGetBroadcastsAndAreCapped) {
  HttpServerOptions options;
  options.max_event_streams = 2;
  options.stream_keepalive = milliseconds(100);
  Start(options);
  auto has = [](const char* text) {
    return [text](const std::string& r) { return r.find(text) != std::string::npos; };
  };
  auto a = Connect();
  auto b = Connect();
  for (auto* c : {a.get(), b.get()}) {
    c->Send("GET /events HTTP/1.1\r\nHost: x\r\n\r\n");
    std::string got = c->ReadUntil(has("hello\n"));
    ASSERT_NE(got.find("hello\n"), std::string::npos) << got;
    EXPECT_EQ(got.find("Content-Length"), std::string::npos);
  }
  EXPECT_EQ(server_.event_streams(), 2u);
  auto third = Connect();
  third->Send("GET /events HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(StatusOf(third->ReadResponse()), 503);

  server_.Broadcast("event: tick\n\n");
  for (auto* c : {a.get(), b.get()}) {
    EXPECT_NE(c->ReadUntil(has("event: tick\n\n")).find("event: tick"), std::string::npos);
    // Quiet streams get comment lines.
    EXPECT_NE(c->ReadUntil(has(": keepalive\n\n")).find(": keepalive"), std::string::npos);
  }
  a.reset();
  for (int i = 0; i < 500 && server_.event_streams() != 1; ++i) {
    std::this_thread::sleep_for(milliseconds(10));
  }
  EXPECT_EQ(server_.event_streams(), 1u);
}

// Bytes sent behind the request that opens a stream are dropped: kept, they held the input
// buffer at its cap, the loop stopped reading but still polled for input, and poll returned at
// once forever (half a core, and the client's close was never seen).
TEST_F(HttpServerTest, BytesBehindAStreamRequestDoNotSpinTheLoop) {
  HttpServerOptions options;
  options.stream_keepalive = milliseconds(60000);  // no write may reveal the close
  Start(options);
  auto c = Connect();
  ASSERT_TRUE(c->Send("GET /events HTTP/1.1\r\nHost: x\r\n\r\n" + std::string(100000, 'x')));
  std::string got = c->ReadUntil([](const std::string& r) { return r.find("hello\n") != r.npos; });
  ASSERT_NE(got.find("hello\n"), std::string::npos) << got;
  const milliseconds cpu_before = ProcessCpu();
  c.reset();
  for (int i = 0; i < 500 && server_.event_streams() != 0; ++i) {
    std::this_thread::sleep_for(milliseconds(10));
  }
  EXPECT_EQ(server_.event_streams(), 0u) << "the client's close was not seen";
  EXPECT_LT((ProcessCpu() - cpu_before).count(), 500);
}

// The same for a connection that lingers after an answer that closes it: the bytes behind the
// request are dropped, the rest is read and dropped, and the loop sleeps until the client goes.
TEST_F(HttpServerTest, BytesBehindAClosingRequestDoNotSpinTheLoop) {
  Start();
  auto c = Connect();
  ASSERT_TRUE(c->Send("GET /a HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n" +
                      std::string(100000, 'x')));
  EXPECT_EQ(BodyOf(c->ReadResponse()), "GET /a ");
  // The server lingers for 2 s at most, then closes; the client never closes first, and keeps
  // sending until a send fails (the server's close answered by a reset).
  const milliseconds cpu_before = ProcessCpu();
  bool sent = true;
  for (int i = 0; i < 200 && sent; ++i) {
    std::this_thread::sleep_for(milliseconds(25));
    sent = c->Send("x");
  }
  EXPECT_FALSE(sent) << "the server did not close the connection";
  EXPECT_LT((ProcessCpu() - cpu_before).count(), 200);
}

TEST(HttpServerStartTest, ATakenPortIsAClearError) {
  HttpServer first;
  ASSERT_TRUE(first.Start("127.0.0.1", 0, Echo, {}).ok());
  HttpServer second;
  Status s = second.Start("127.0.0.1", first.port(), Echo, {});
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("the port is taken"), std::string::npos) << s.message();
  EXPECT_FALSE(second.Start("no-such-host.invalid", 0, Echo, {}).ok());
}

}  // namespace
}  // namespace shopstream::serve
