#include "serve/http_server.h"

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>

#include "serve/host_check.h"

namespace shopstream::serve {
namespace {

using Clock = std::chrono::steady_clock;

// After an answer that closes the connection, input is read and dropped this long (or until
// the client closes), so that unread request bytes do not turn the close into a reset that
// destroys the answer in flight.
constexpr auto kLingerTime = std::chrono::seconds(2);
constexpr size_t kMaxLingerBytes = 1 << 20;
// Bytes read from one connection per turn of the loop, so that one fast client cannot delay
// the others.
constexpr size_t kReadPerTurn = 64 * 1024;
// Bytes taken by one recv().
constexpr size_t kReadChunk = 16 * 1024;
// Connections accepted per turn of the loop.
constexpr int kAcceptPerTurn = 64;
// How long accepting pauses when the process is out of file descriptors.
constexpr auto kAcceptPause = std::chrono::milliseconds(100);

// Bytes waiting to be sent: owned text, or a view of memory that outlives the server.
struct OutChunk {
  std::string owned;
  std::string_view borrowed;
  size_t sent = 0;
  std::string_view data() const { return borrowed.empty() ? std::string_view(owned) : borrowed; }
};

enum class State {
  kReading,    // waiting for (the rest of) a request
  kHandling,   // a worker runs the handler
  kWriting,    // sending the answer
  kStreaming,  // an event stream: sending whatever is broadcast
  kLingering,  // answered and shut down for writing: dropping input until the client closes
};

struct Connection {
  int fd = -1;  // -1 once closed; removed at the end of the loop's turn
  uint64_t id = 0;
  State state = State::kReading;
  Clock::time_point since;     // when the current state began; eviction picks the oldest
  Clock::time_point deadline;  // when the connection closes unless something happens
  std::string in;              // bytes read and not used yet
  bool request_started = false;
  std::optional<HttpRequest> request;  // its head while the body is read
  bool peer_closed = false;            // EOF read: answer what is complete, then close
  // Of the request being answered.
  bool head_only = false;
  bool keep_alive = false;
  bool http_1_0 = false;
  int served = 0;
  std::deque<OutChunk> out;
  size_t out_bytes = 0;  // unsent
  bool close_after_write = false;
  bool stream = false;
  Clock::time_point last_stream_write;
  size_t lingered_bytes = 0;
};

// "10 s", "0.3 s"; appended piece by piece because GCC 12 warns (-Wrestrict, falsely) on the
// equivalent chain of operator+.
std::string Seconds(std::chrono::milliseconds ms) {
  std::string s = std::to_string(ms.count() / 1000);
  if (ms.count() % 1000) s.append(".").append(std::to_string(ms.count() % 1000 / 100));
  return s.append(" s");
}

}  // namespace

struct HttpServer::Loop {
  HttpServerOptions options;
  HttpHandler handler;
  std::atomic<size_t>* streams = nullptr;
  int listen_fd = -1;
  int wake_read = -1, wake_write = -1;
  std::thread thread;
  std::vector<std::thread> workers;

  // The loop thread's own.
  std::unordered_map<uint64_t, std::unique_ptr<Connection>> conns;
  size_t open = 0;
  uint64_t next_id = 1;
  Clock::time_point accept_paused_until;

  // Shared with the workers and Broadcast().
  std::mutex mu;
  std::condition_variable work_ready;
  std::deque<std::pair<uint64_t, HttpRequest>> jobs;
  std::vector<std::pair<uint64_t, HttpResponse>> done;
  std::vector<std::string> broadcasts;
  bool stopping = false;

  ~Loop() {
    for (int fd : {listen_fd, wake_read, wake_write}) {
      if (fd >= 0) ::close(fd);
    }
  }

  void Wake() {
    char c = 1;
    // A full pipe already holds a wake-up.
    [[maybe_unused]] ssize_t n = ::write(wake_write, &c, 1);
  }

  void WorkerMain() {
    for (;;) {
      std::pair<uint64_t, HttpRequest> job;
      {
        std::unique_lock lock(mu);
        work_ready.wait(lock, [this] { return stopping || !jobs.empty(); });
        if (stopping) return;
        job = std::move(jobs.front());
        jobs.pop_front();
      }
      HttpResponse response;
      try {
        response = handler(job.second);
      } catch (const std::exception& e) {
        response = ErrorResponse(500, std::string("internal error: ") + e.what());
      }
      {
        std::lock_guard lock(mu);
        done.emplace_back(job.first, std::move(response));
      }
      Wake();
    }
  }

  void Close(Connection* c) {
    if (c->fd < 0) return;
    ::close(c->fd);
    c->fd = -1;
    --open;
    if (c->stream) streams->fetch_sub(1);
  }

  void Enter(Connection* c, State state, Clock::time_point now) {
    c->state = state;
    c->since = now;
    // From here on input is dropped as it comes; bytes read before (a pipelined request, the
    // rest of a refused one) would otherwise stay, and hold the buffer at its cap.
    if (state == State::kStreaming || state == State::kLingering) {
      std::string().swap(c->in);
      c->request.reset();
    }
  }

  // Whether Read takes input now: a buffer at its cap does not grow, and stream and linger
  // input is dropped as it comes.
  bool TakesInput(const Connection* c) const {
    return c->state == State::kStreaming || c->state == State::kLingering ||
           c->in.size() < InputCap();
  }
  // Whether poll asks for input: only when Read would take it (or the loop would wake at every
  // turn for bytes it leaves), and never while a request waits for its answer (no reading
  // ahead of pipelined requests).
  bool WantsInput(const Connection* c) const {
    return c->state != State::kHandling && c->state != State::kWriting && TakesInput(c);
  }
  // The most a reading connection buffers: about one request.
  size_t InputCap() const { return options.max_head_bytes + options.max_body_bytes + kReadChunk; }

  void Queue(Connection* c, std::string owned, std::string_view borrowed = {}) {
    OutChunk chunk;
    chunk.owned = std::move(owned);
    chunk.borrowed = borrowed;
    size_t size = chunk.data().size();
    if (size == 0) return;
    c->out_bytes += size;
    c->out.push_back(std::move(chunk));
  }

  // Sends `response` on `c` (which must not be answering another request) and closes after it
  // when `close`.
  void Respond(Connection* c, HttpResponse response, bool close, Clock::time_point now) {
    const bool stream = response.event_stream;
    std::string_view body = response.Body();
    Queue(c, ResponseHead(response, stream ? -1 : static_cast<long long>(body.size()), close,
                          !close && c->http_1_0, options.common_headers));
    if (!c->head_only) {
      if (!response.static_body.empty()) {
        Queue(c, {}, response.static_body);
      } else {
        Queue(c, std::move(response.body));
      }
    }
    c->close_after_write = close;
    c->deadline = now + options.write_timeout;
    if (stream && !c->head_only) {
      c->stream = true;
      streams->fetch_add(1);
      if (response.greeting) Queue(c, response.greeting());
      c->last_stream_write = now;
      c->close_after_write = false;
      Enter(c, State::kStreaming, now);
    } else {
      Enter(c, State::kWriting, now);
    }
    Write(c, now);
  }

  // Answers a request that cannot be served with `status` and closes.
  void Fail(Connection* c, int status, const std::string& reason, Clock::time_point now) {
    c->head_only = false;
    c->request.reset();
    Respond(c, ErrorResponse(status, reason), true, now);
  }

  void Finish(Connection* c, Clock::time_point now) {
    if (c->close_after_write) {
      if (c->peer_closed) return Close(c);
      ::shutdown(c->fd, SHUT_WR);
      Enter(c, State::kLingering, now);
      c->deadline = now + kLingerTime;
      return;
    }
    Enter(c, State::kReading, now);
    c->request_started = false;
    c->deadline = now + options.idle_timeout;
    Advance(c, now);  // a pipelined request may be waiting
    // A client that has closed its side gets answers to the requests it completed, then EOF.
    if (c->peer_closed && c->fd >= 0 && c->state == State::kReading) Close(c);
  }

  void Write(Connection* c, Clock::time_point now) {
    bool progress = false;
    while (!c->out.empty()) {
      OutChunk& chunk = c->out.front();
      std::string_view rest = chunk.data().substr(chunk.sent);
      ssize_t n = ::send(c->fd, rest.data(), rest.size(), MSG_NOSIGNAL);
      if (n > 0) {
        progress = true;
        chunk.sent += static_cast<size_t>(n);
        c->out_bytes -= static_cast<size_t>(n);
        if (chunk.sent == chunk.data().size()) c->out.pop_front();
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
      return Close(c);
    }
    if (progress) c->deadline = now + options.write_timeout;
    if (c->out.empty() && c->state == State::kWriting) Finish(c, now);
  }

  // Moves a reading connection on with the bytes it has: parses the head, waits for the body,
  // hands the request to a worker, or answers an error.
  void Advance(Connection* c, Clock::time_point now) {
    if (c->state != State::kReading) return;
    if (!c->request) {
      if (!c->request_started) {
        // RFC 9112 2.2: empty lines before a request line are ignored.
        size_t skip = 0;
        while (skip < c->in.size() && (c->in[skip] == '\r' || c->in[skip] == '\n')) ++skip;
        c->in.erase(0, skip);
        if (c->in.empty()) return;
        c->request_started = true;
        c->deadline = now + options.request_timeout;
      }
      const size_t end = FindHeadEnd(c->in);
      if (end == 0 || end > options.max_head_bytes) {
        if (end != 0 || c->in.size() > options.max_head_bytes) {
          Fail(c, 431,
               "the request head is larger than " + std::to_string(options.max_head_bytes) +
                   " bytes",
               now);
        }
        return;
      }
      auto parsed =
          ParseRequestHead(std::string_view(c->in).substr(0, end), options.max_body_bytes);
      if (auto* error = std::get_if<HttpError>(&parsed)) {
        return Fail(c, error->status, error->reason, now);
      }
      c->request = std::move(std::get<HttpRequest>(parsed));
      c->in.erase(0, end);
    }
    const size_t length = c->request->content_length;
    if (c->in.size() < length) return;
    c->request->body = c->in.substr(0, length);
    c->in.erase(0, length);
    c->head_only = c->request->method == "HEAD";
    c->keep_alive = c->request->KeepAlive();
    c->http_1_0 = c->request->minor_version == 0;
    Enter(c, State::kHandling, now);
    {
      std::lock_guard lock(mu);
      jobs.emplace_back(c->id, std::move(*c->request));
    }
    c->request.reset();
    work_ready.notify_one();
  }

  void Read(Connection* c, Clock::time_point now) {
    char buf[kReadChunk];
    size_t taken = 0;
    while (taken < kReadPerTurn && TakesInput(c)) {
      ssize_t n = ::recv(c->fd, buf, sizeof buf, 0);
      if (n > 0) {
        taken += static_cast<size_t>(n);
        if (c->state == State::kLingering) {
          c->lingered_bytes += static_cast<size_t>(n);
          if (c->lingered_bytes > kMaxLingerBytes) return Close(c);
        } else if (c->state != State::kStreaming) {  // an event stream's client has nothing to say
          c->in.append(buf, static_cast<size_t>(n));
        }
        continue;
      }
      if (n == 0) {
        c->peer_closed = true;
        break;
      }
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) break;
      return Close(c);
    }
    if (c->state == State::kReading) Advance(c, now);
    if (c->peer_closed && c->fd >= 0 &&
        (c->state == State::kReading || c->state == State::kLingering ||
         c->state == State::kStreaming)) {
      Close(c);  // nothing complete to answer, or nobody to answer it to
    }
  }

  void TakeInbox(Clock::time_point now) {
    std::vector<std::pair<uint64_t, HttpResponse>> answers;
    std::vector<std::string> news;
    {
      std::lock_guard lock(mu);
      answers.swap(done);
      news.swap(broadcasts);
    }
    for (auto& [id, response] : answers) {
      auto it = conns.find(id);
      if (it == conns.end()) continue;
      Connection* c = it->second.get();
      if (c->fd < 0 || c->state != State::kHandling) continue;
      ++c->served;
      bool close = !c->keep_alive || c->served >= options.max_requests_per_connection ||
                   response.event_stream;
      if (response.event_stream && streams->load() >= options.max_event_streams) {
        response = ErrorResponse(503, "too many live streams open; try again later");
        close = true;
      }
      Respond(c, std::move(response), close, now);
    }
    for (const std::string& data : news) {
      for (auto& [id, conn] : conns) {
        Connection* c = conn.get();
        if (c->fd < 0 || !c->stream) continue;
        if (c->out_bytes + data.size() > options.max_stream_backlog) {
          Close(c);  // a client that stopped reading
          continue;
        }
        if (c->out.empty()) c->deadline = now + options.write_timeout;
        Queue(c, data);
        c->last_stream_write = now;
        Write(c, now);
      }
    }
  }

  // Closes the connection that has waited longest in any state but kHandling, event streams
  // last (browsers reopen them); false if none.
  bool EvictOne() {
    Connection* oldest = nullptr;
    for (auto& [id, conn] : conns) {
      Connection* c = conn.get();
      if (c->fd < 0 || c->state == State::kHandling) continue;
      if (!oldest || std::pair(c->stream, c->since) < std::pair(oldest->stream, oldest->since)) {
        oldest = c;
      }
    }
    if (!oldest) return false;
    Close(oldest);
    return true;
  }

  void Accept(Clock::time_point now) {
    for (int i = 0; i < kAcceptPerTurn; ++i) {
      int fd = ::accept4(listen_fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (fd < 0) {
        if (errno == EINTR || errno == ECONNABORTED) continue;
        if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
          accept_paused_until = now + kAcceptPause;
        }
        return;
      }
      if (open >= options.max_connections && !EvictOne()) {
        ::close(fd);
        continue;
      }
      int yes = 1;
      ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof yes);
      auto c = std::make_unique<Connection>();
      c->fd = fd;
      c->id = next_id++;
      c->since = now;
      c->deadline = now + options.idle_timeout;
      ++open;
      conns.emplace(c->id, std::move(c));
    }
  }

  void CheckTimers(Clock::time_point now) {
    for (auto& [id, conn] : conns) {
      Connection* c = conn.get();
      if (c->fd < 0) continue;
      switch (c->state) {
        case State::kReading:
          if (now < c->deadline) break;
          if (!c->request_started) {
            Close(c);  // idle
          } else {
            Fail(c, 408, "the request was not complete within " + Seconds(options.request_timeout),
                 now);
          }
          break;
        case State::kHandling:
          break;
        case State::kWriting:
        case State::kLingering:
          if (now >= c->deadline) Close(c);
          break;
        case State::kStreaming:
          if (c->out_bytes > 0) {
            if (now >= c->deadline) Close(c);
          } else if (now - c->last_stream_write >= options.stream_keepalive) {
            c->deadline = now + options.write_timeout;
            Queue(c, ": keepalive\n\n");
            c->last_stream_write = now;
            Write(c, now);
          }
          break;
      }
    }
  }

  // The next time CheckTimers has something to do, from `now`.
  Clock::time_point NextTimer(Clock::time_point now) const {
    Clock::time_point next = now + std::chrono::seconds(1);
    for (const auto& [id, conn] : conns) {
      const Connection* c = conn.get();
      if (c->fd < 0 || c->state == State::kHandling) continue;
      if (c->state == State::kStreaming && c->out_bytes == 0) {
        next = std::min(next, c->last_stream_write + options.stream_keepalive);
      } else {
        next = std::min(next, c->deadline);
      }
    }
    return next;
  }

  void Run() {
    std::vector<pollfd> fds;
    std::vector<Connection*> polled;
    for (;;) {
      {
        std::lock_guard lock(mu);
        if (stopping) break;
      }
      Clock::time_point now = Clock::now();
      fds.clear();
      polled.clear();
      fds.push_back({wake_read, POLLIN, 0});
      const bool accepting = now >= accept_paused_until;
      fds.push_back({accepting ? listen_fd : -1, POLLIN, 0});
      for (auto& [id, conn] : conns) {
        Connection* c = conn.get();
        short events = WantsInput(c) ? POLLIN : 0;
        if (c->out_bytes > 0) events |= POLLOUT;
        // A client gone while its answer is computed would report POLLHUP at every turn.
        const bool quiet = c->peer_closed && c->state == State::kHandling;
        fds.push_back({quiet ? -1 : c->fd, events, 0});
        polled.push_back(c);
      }
      Clock::time_point next = NextTimer(now);
      if (!accepting) next = std::min(next, accept_paused_until);
      auto wait = std::chrono::ceil<std::chrono::milliseconds>(next - now).count();
      int ready =
          ::poll(fds.data(), fds.size(), static_cast<int>(std::clamp<long long>(wait, 0, 1000)));
      if (ready < 0 && errno != EINTR) break;
      now = Clock::now();
      if (ready > 0) {
        for (size_t i = 0; i < polled.size(); ++i) {
          Connection* c = polled[i];
          const short revents = fds[i + 2].revents;
          if (c->fd < 0 || revents == 0) continue;
          if (revents & POLLNVAL) {
            Close(c);
            continue;
          }
          if (revents & (POLLIN | POLLHUP | POLLERR)) Read(c, now);
          if (c->fd >= 0 && (revents & POLLOUT)) Write(c, now);
        }
        if (fds[0].revents & POLLIN) {
          char drain[256];
          while (::read(wake_read, drain, sizeof drain) > 0) {
          }
        }
        if (fds[1].revents & POLLIN) Accept(now);
      }
      TakeInbox(now);
      CheckTimers(now);
      std::erase_if(conns, [](const auto& kv) { return kv.second->fd < 0; });
    }
    for (auto& [id, conn] : conns) Close(conn.get());
    conns.clear();
  }
};

HttpServer::HttpServer() = default;

HttpServer::~HttpServer() { Stop(); }

Status HttpServer::Start(const std::string& host, int port, HttpHandler handler,
                         HttpServerOptions options) {
  if (loop_) return Status::Internal("the HTTP server is already started");
  auto loop = std::make_unique<Loop>();
  loop->options = std::move(options);
  loop->handler = std::move(handler);
  loop->streams = &streams_;

  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* found = nullptr;
  const std::string service = std::to_string(port);
  if (int rc = ::getaddrinfo(host.c_str(), service.c_str(), &hints, &found); rc != 0) {
    return Status::Unavailable("cannot listen on " + host + ": " + ::gai_strerror(rc));
  }
  int err = EADDRNOTAVAIL;
  for (addrinfo* a = found; a != nullptr && loop->listen_fd < 0; a = a->ai_next) {
    int fd = ::socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0) {
      err = errno;
      continue;
    }
    // SO_REUSEADDR only: SO_REUSEPORT would let a second server share a taken port silently.
    int yes = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    if (::bind(fd, a->ai_addr, a->ai_addrlen) == 0 && ::listen(fd, SOMAXCONN) == 0) {
      loop->listen_fd = fd;
    } else {
      err = errno;
      ::close(fd);
    }
  }
  ::freeaddrinfo(found);
  if (loop->listen_fd < 0) {
    return Status::Unavailable("cannot listen on " + host + ":" + service + ": " +
                               (err == EADDRINUSE
                                    ? std::string("the port is taken by another program")
                                    : std::string(std::strerror(err))));
  }
  sockaddr_storage bound{};
  socklen_t len = sizeof bound;
  ::getsockname(loop->listen_fd, reinterpret_cast<sockaddr*>(&bound), &len);
  bound_to_loopback_ = IsLoopbackSocketAddress(bound);
  port_ = ntohs(bound.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port
                                            : reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_NONBLOCK | O_CLOEXEC) != 0) {
    return Status::Unavailable(std::string("cannot create a pipe: ") + std::strerror(errno));
  }
  loop->wake_read = pipe_fds[0];
  loop->wake_write = pipe_fds[1];

  Loop* l = loop.get();
  for (int i = 0; i < std::max(1, l->options.workers); ++i) {
    l->workers.emplace_back([l] { l->WorkerMain(); });
  }
  l->thread = std::thread([l] { l->Run(); });
  loop_ = std::move(loop);
  return Status::Ok();
}

void HttpServer::Stop() {
  if (!loop_) return;
  {
    std::lock_guard lock(loop_->mu);
    loop_->stopping = true;
  }
  loop_->work_ready.notify_all();
  loop_->Wake();
  loop_->thread.join();
  for (auto& t : loop_->workers) t.join();
  loop_.reset();
}

void HttpServer::Broadcast(std::string data) {
  if (!loop_) return;
  {
    std::lock_guard lock(loop_->mu);
    loop_->broadcasts.push_back(std::move(data));
  }
  loop_->Wake();
}

}  // namespace shopstream::serve
