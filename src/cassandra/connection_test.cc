// Connection and Session against a small scripted CQL server in this process: many requests
// in flight answered out of order, requests queued and written together, per-request timeouts, a
// lost connection, retries of idempotent requests, re-preparing after UNPREPARED, and SASL PLAIN
// authentication.
#include "cassandra/connection.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <future>
#include <mutex>
#include <set>
#include <thread>

#include "cassandra/messages.h"
#include "cassandra/session.h"

namespace shopstream::cassandra {
namespace {

// Answers QUERY by its text:
//   "hold N"  nothing until N such requests wait, then all, in reverse order, as rows of text
//   "never"   no answer at all
//   "drop"    closes the connection
//   "drop once" closes the connection the first time, answers afterwards
//   other     a Rows result with the query text in one text column
// PREPARE returns id "P"; EXECUTE answers UNPREPARED while `forget_prepared` > 0, else Void.
class FakeServer {
 public:
  explicit FakeServer(std::optional<Credentials> required = std::nullopt) : required_(required) {
    listen_fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    socklen_t len = sizeof addr;
    getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    listen(listen_fd_, 16);
    acceptor_ = std::thread([this] { AcceptLoop(); });
  }
  ~FakeServer() {
    stopping_ = true;
    shutdown(listen_fd_, SHUT_RDWR);
    close(listen_fd_);
    acceptor_.join();
    std::lock_guard lock(mutex_);
    for (int fd : clients_) shutdown(fd, SHUT_RDWR);
    for (auto& t : workers_) t.join();
  }
  int port() const { return port_; }
  std::atomic<int> forget_prepared{0};
  std::atomic<int> executes{0};
  std::atomic<int> prepares{0};
  std::atomic<int> connections{0};
  // What system.local says when set (before the server is used; read by its threads).
  std::string schema_version;

 private:
  void AcceptLoop() {
    while (!stopping_) {
      int fd = accept(listen_fd_, nullptr, nullptr);
      if (fd < 0) return;
      ++connections;
      std::lock_guard lock(mutex_);
      clients_.push_back(fd);
      workers_.emplace_back([this, fd] { Serve(fd); });
    }
  }

  static bool ReadExactly(int fd, char* out, size_t n) {
    while (n > 0) {
      ssize_t got = recv(fd, out, n, 0);
      if (got <= 0) return false;
      out += got;
      n -= static_cast<size_t>(got);
    }
    return true;
  }

  static void Reply(int fd, int16_t stream, Opcode op, const std::string& body) {
    std::string frame = EncodeFrame(stream, op, body, 0, kResponseVersion);
    send(fd, frame.data(), frame.size(), MSG_NOSIGNAL);
  }

  static std::string TextRows(const std::string& text) {
    Writer w;
    w.write_int(2);  // Rows
    w.write_int(1);  // Global_tables_spec
    w.write_int(1);
    w.write_string("ks");
    w.write_string("t");
    w.write_string("q");
    w.write_short(0x000D);
    w.write_int(1);
    w.write_bytes(text);
    return w.take();
  }

  static std::string ErrorBody(ErrorCode code, const std::string& message,
                               const std::string& id = "") {
    Writer w;
    w.write_int(static_cast<int32_t>(code));
    w.write_string(message);
    if (code == ErrorCode::kUnprepared) w.write_short_bytes(id);
    return w.take();
  }

  void Serve(int fd) {
    std::vector<std::pair<int16_t, std::string>> held;
    char header[kHeaderSize];
    while (ReadExactly(fd, header, kHeaderSize)) {
      auto h = DecodeFrameHeader(std::string_view(header, kHeaderSize));
      if (!h.ok()) break;
      std::string body(static_cast<size_t>(h->length), '\0');
      if (!ReadExactly(fd, body.data(), body.size())) break;
      Reader r(body);
      switch (h->opcode) {
        case Opcode::kStartup:
          if (required_) {
            Writer w;
            w.write_string("org.apache.cassandra.auth.PasswordAuthenticator");
            Reply(fd, h->stream, Opcode::kAuthenticate, w.take());
          } else {
            Reply(fd, h->stream, Opcode::kReady, "");
          }
          break;
        case Opcode::kAuthResponse: {
          auto token = r.read_bytes().value_or("");
          std::string want = std::string(1, '\0') + required_->user + '\0' + required_->password;
          if (token == want) {
            Writer w;
            w.write_bytes(std::nullopt);
            Reply(fd, h->stream, Opcode::kAuthSuccess, w.take());
          } else {
            Reply(fd, h->stream, Opcode::kError,
                  ErrorBody(ErrorCode::kAuthenticationError,
                            "Provided username and/or password are incorrect"));
          }
          break;
        }
        case Opcode::kQuery: {
          std::string q = r.read_long_string();
          if (q.rfind("hold ", 0) == 0) {
            held.emplace_back(h->stream, q);
            if (held.size() == std::stoul(q.substr(5))) {
              for (auto it = held.rbegin(); it != held.rend(); ++it) {
                Reply(fd, it->first, Opcode::kResult, TextRows(std::to_string(it->first)));
              }
              held.clear();
            }
          } else if (q == "never") {
          } else if (q == "drop once" && drops_left_.fetch_sub(1) > 0) {
            shutdown(fd, SHUT_RDWR);
            close(fd);
            return;
          } else if (q == "drop") {
            shutdown(fd, SHUT_RDWR);
            close(fd);
            return;
          } else if (q.find("system.local") != std::string::npos && !schema_version.empty()) {
            Reply(fd, h->stream, Opcode::kResult, TextRows(schema_version));
          } else if (q.find("system.peers") != std::string::npos) {
            Writer w;
            w.write_int(2);
            w.write_int(4);  // No_metadata
            w.write_int(2);
            w.write_int(0);
            Reply(fd, h->stream, Opcode::kResult, w.take());
          } else {
            Reply(fd, h->stream, Opcode::kResult, TextRows(q));
          }
          break;
        }
        case Opcode::kPrepare: {
          ++prepares;
          Writer w;
          w.write_int(4);
          w.write_short_bytes("P");
          w.write_int(0);  // flags
          w.write_int(0);  // no bind markers
          w.write_int(0);  // pk count
          w.write_int(4);  // result metadata: No_metadata
          w.write_int(0);
          Reply(fd, h->stream, Opcode::kResult, w.take());
          break;
        }
        case Opcode::kExecute: {
          ++executes;
          if (forget_prepared > 0) {
            --forget_prepared;
            Reply(fd, h->stream, Opcode::kError,
                  ErrorBody(ErrorCode::kUnprepared, "unknown id", "P"));
          } else {
            Writer w;
            w.write_int(1);
            Reply(fd, h->stream, Opcode::kResult, w.take());
          }
          break;
        }
        default:
          Reply(fd, h->stream, Opcode::kError, ErrorBody(ErrorCode::kProtocolError, "unexpected"));
      }
    }
    close(fd);
  }

  std::optional<Credentials> required_;
  std::atomic<int> drops_left_{1};
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::thread acceptor_;
  std::mutex mutex_;
  std::vector<int> clients_;
  std::vector<std::thread> workers_;
};

ConnectOptions Options(int port) {
  ConnectOptions o;
  o.host = "127.0.0.1";
  o.port = port;
  o.request_timeout = std::chrono::milliseconds(5000);
  return o;
}

std::string FirstCell(const Frame& f) {
  auto r = DecodeResult(f.body);
  if (!r.ok() || r->rows.empty() || !r->rows[0][0]) return "?";
  return *r->rows[0][0];
}

// The fake server echoes each request's stream id in its reply: every caller must get the reply
// to its own request, each on a stream of its own.
void ExpectEachGotTheReplyToItsOwnStream(std::vector<std::promise<Result<Frame>>>& promises) {
  std::set<std::string> streams;
  for (auto& p : promises) {
    auto f = p.get_future().get();
    ASSERT_TRUE(f.ok()) << f.status().ToString();
    EXPECT_EQ(FirstCell(*f), std::to_string(f->header.stream));
    streams.insert(FirstCell(*f));
  }
  EXPECT_EQ(streams.size(), promises.size());
}

TEST(CqlConnection, ManyRequestsInFlightAreMatchedByStreamId) {
  FakeServer server;
  auto c = Connection::Open(Options(server.port()));
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  constexpr int kRequests = 50;
  std::vector<std::promise<Result<Frame>>> promises(kRequests);
  for (int i = 0; i < kRequests; ++i) {
    (*c)->Send(Opcode::kQuery, EncodeQuery("hold 50", QueryParameters{}),
               [&promises, i](Result<Frame> f) { promises[i].set_value(std::move(f)); });
  }
  // The server answers all 50 in reverse order; each reply names the stream it came on, and
  // each caller must get the reply to its own request.
  ExpectEachGotTheReplyToItsOwnStream(promises);
}

TEST(CqlConnection, QueuedRequestsGoOutOnFlushAndAreMatchedByStreamId) {
  FakeServer server;
  auto c = Connection::Open(Options(server.port()));
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  constexpr int kRequests = 40;
  std::vector<std::promise<Result<Frame>>> promises(kRequests);
  for (int i = 0; i < kRequests; ++i) {
    (*c)->Queue(Opcode::kQuery, EncodeQuery("hold 40", QueryParameters{}),
                [&promises, i](Result<Frame> f) { promises[i].set_value(std::move(f)); });
  }
  (*c)->Flush();
  // The server answers only once all 40 wait: every queued frame was written by the Flush.
  ExpectEachGotTheReplyToItsOwnStream(promises);
}

TEST(CqlConnection, QueueWritesWhatWaitsWhenEveryStreamIsTaken) {
  FakeServer server;
  auto o = Options(server.port());
  o.max_streams = 4;
  auto c = Connection::Open(o);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  // Twice as many requests as stream ids, with no Flush between: the fifth Queue must write
  // the first four itself (their replies free the ids), or it would wait for ever.
  std::vector<std::promise<Result<Frame>>> promises(8);
  for (int i = 0; i < 8; ++i) {
    (*c)->Queue(Opcode::kQuery, EncodeQuery("hold 4", QueryParameters{}),
                [&promises, i](Result<Frame> f) { promises[i].set_value(std::move(f)); });
  }
  (*c)->Flush();
  for (auto& p : promises) {
    auto f = p.get_future().get();
    EXPECT_TRUE(f.ok()) << f.status().ToString();
  }
}

TEST(CqlConnection, ARequestTimesOutAloneAndTheConnectionGoesOn) {
  FakeServer server;
  auto c = Connection::Open(Options(server.port()));
  ASSERT_TRUE(c.ok());
  auto slow = (*c)->Call(Opcode::kQuery, EncodeQuery("never", QueryParameters{}),
                         std::chrono::milliseconds(100));
  EXPECT_EQ(slow.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(slow.status().message().find("timed out after 100 ms"), std::string::npos);
  auto fine = (*c)->Call(Opcode::kQuery, EncodeQuery("hello", QueryParameters{}));
  ASSERT_TRUE(fine.ok()) << fine.status().ToString();
  EXPECT_EQ(FirstCell(*fine), "hello");
  EXPECT_TRUE((*c)->alive());
}

TEST(CqlConnection, ALostConnectionFailsWhatIsInFlight) {
  FakeServer server;
  auto c = Connection::Open(Options(server.port()));
  ASSERT_TRUE(c.ok());
  std::promise<Result<Frame>> waiting;
  (*c)->Send(Opcode::kQuery, EncodeQuery("never", QueryParameters{}),
             [&](Result<Frame> f) { waiting.set_value(std::move(f)); });
  auto dropped = (*c)->Call(Opcode::kQuery, EncodeQuery("drop", QueryParameters{}));
  EXPECT_EQ(dropped.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(waiting.get_future().get().status().code(), StatusCode::kUnavailable);
  EXPECT_FALSE((*c)->alive());
  auto after = (*c)->Call(Opcode::kQuery, EncodeQuery("x", QueryParameters{}));
  EXPECT_EQ(after.status().code(), StatusCode::kUnavailable);
}

TEST(CqlConnection, PlainAuthentication) {
  FakeServer server(Credentials{"shop", "s3cret"});
  auto o = Options(server.port());
  auto none = Connection::Open(o);
  EXPECT_EQ(none.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(none.status().message().find("SHOPSTREAM_CASSANDRA_USER"), std::string::npos);
  o.credentials = Credentials{"shop", "wrong"};
  auto bad = Connection::Open(o);
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("authentication error"), std::string::npos);
  EXPECT_EQ(bad.status().message().find("wrong"), std::string::npos);  // no secret in messages
  o.credentials = Credentials{"shop", "s3cret"};
  auto good = Connection::Open(o);
  EXPECT_TRUE(good.ok()) << good.status().ToString();
}

SessionOptions ForServer(const FakeServer& server) {
  SessionOptions o;
  o.contact_points = {{"127.0.0.1", server.port()}};
  o.request_timeout = std::chrono::milliseconds(300);
  return o;
}

TEST(CqlSession, IdempotentRequestsAreRetriedOnAnotherConnection) {
  FakeServer server;
  auto s = Session::Connect(ForServer(server));
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  // "never" times out on every try: idempotent, it is tried max_attempts times, then fails.
  auto r = (*s)->Query("never", Consistency::kOne, /*idempotent=*/true);
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
  // Not idempotent: one try only. Then the session still works.
  auto once = (*s)->Query("drop", Consistency::kOne, /*idempotent=*/false);
  EXPECT_EQ(once.status().code(), StatusCode::kUnavailable);
  auto ok = (*s)->Query("still here", Consistency::kOne);
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(ok->rows[0][0], "still here");
}

TEST(CqlSession, AnIdempotentRequestSurvivesALostConnection) {
  FakeServer server;
  auto s = Session::Connect(ForServer(server));
  ASSERT_TRUE(s.ok());
  auto r = (*s)->Query("drop once", Consistency::kOne, /*idempotent=*/true);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->rows[0][0], "drop once");
}

TEST(CqlSession, ReconnectsAfterALostConnection) {
  FakeServer server;
  auto options = ForServer(server);
  options.connections_per_node = 1;
  auto s = Session::Connect(options);
  ASSERT_TRUE(s.ok());
  EXPECT_FALSE((*s)->Query("drop", Consistency::kOne).ok());
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));  // the reconnect pause
  auto r = (*s)->Query("back", Consistency::kOne);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(server.connections.load(), 2);
}

TEST(CqlSession, PreparesAgainWhenTheServerForgotTheStatement) {
  FakeServer server;
  auto s = Session::Connect(ForServer(server));
  ASSERT_TRUE(s.ok());
  auto p = (*s)->Prepare("INSERT INTO ks.t (k) VALUES (1)");
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  int prepares_before = server.prepares.load();
  server.forget_prepared = 1;
  std::vector<std::vector<Value>> rows(20);
  Status st = (*s)->ExecuteMany(*p, rows, Consistency::kOne, /*idempotent=*/false, 8);
  EXPECT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(server.executes.load(), 21);  // 20 rows plus the one answered UNPREPARED
  EXPECT_EQ(server.prepares.load(), prepares_before + 1);
}

TEST(CqlSession, ExecuteManySendsEveryRowOnceInBursts) {
  FakeServer server;
  auto s = Session::Connect(ForServer(server));
  ASSERT_TRUE(s.ok());
  auto p = (*s)->Prepare("INSERT INTO ks.t (k) VALUES (1)");
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  // More rows than the window, and a count that is no multiple of its bursts.
  std::vector<std::vector<Value>> rows(1001);
  Status st = (*s)->ExecuteMany(*p, rows, Consistency::kOne, /*idempotent=*/true, 64);
  EXPECT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(server.executes.load(), 1001);
}

TEST(CqlSession, SchemaAgreementAsksEveryNodeForItsOwnVersion) {
  // Each node knows no peers: asked alone, each would agree with itself.
  FakeServer a, b;
  a.schema_version = "v2";
  b.schema_version = "v1";
  SessionOptions o;
  o.contact_points = {{"127.0.0.1", a.port()}, {"127.0.0.1", b.port()}};
  o.discover_peers = false;
  auto s = Session::Connect(o);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  Status st = (*s)->WaitForSchemaAgreement(std::chrono::milliseconds(500));
  EXPECT_EQ(st.code(), StatusCode::kUnavailable) << st.ToString();
  EXPECT_NE(st.message().find("2 nodes disagree"), std::string::npos) << st.message();
}

TEST(CqlSession, SchemaAgreementWhenEveryNodeHasTheVersion) {
  FakeServer a, b;
  a.schema_version = b.schema_version = "v2";
  SessionOptions o;
  o.contact_points = {{"127.0.0.1", a.port()}, {"127.0.0.1", b.port()}};
  o.discover_peers = false;
  auto s = Session::Connect(o);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  Status st = (*s)->WaitForSchemaAgreement(std::chrono::milliseconds(2000));
  EXPECT_TRUE(st.ok()) << st.ToString();
}

TEST(CqlSession, NoReachableNodeIsUnavailable) {
  SessionOptions o;
  o.contact_points = {{"127.0.0.1", 1}};
  auto s = Session::Connect(o);
  EXPECT_EQ(s.status().code(), StatusCode::kUnavailable);
}

TEST(CqlSession, ParsesContactPoints) {
  auto eps = ParseContactPoints("a:1,b,[::1]:9043");
  ASSERT_TRUE(eps.ok());
  ASSERT_EQ(eps->size(), 3u);
  EXPECT_EQ((*eps)[0].port, 1);
  EXPECT_EQ((*eps)[1].port, 9042);
  EXPECT_EQ((*eps)[2].host, "::1");
  EXPECT_EQ((*eps)[2].port, 9043);
  EXPECT_FALSE(ParseContactPoints("a:x").ok());
  EXPECT_FALSE(ParseContactPoints("").ok());
}

}  // namespace
}  // namespace shopstream::cassandra
