#include "cassandra/connection.h"

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <future>

#include "cassandra/messages.h"
#include "common/log.h"

namespace shopstream::cassandra {

namespace {

constexpr int kPollIntervalMs = 50;

std::string Errno() { return std::strerror(errno); }

// Resolves and connects with a deadline; returns the connected blocking socket.
Result<int> ConnectSocket(const std::string& host, int port, std::chrono::milliseconds timeout) {
  std::string where = host + ":" + std::to_string(port);
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  int rc = getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found);
  if (rc != 0) {
    return Status::Unavailable("cannot resolve Cassandra host " + where + ": " + gai_strerror(rc));
  }
  std::string last_error = "no address";
  for (addrinfo* a = found; a; a = a->ai_next) {
    int fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0) {
      last_error = Errno();
      continue;
    }
    int flags = fcntl(fd, F_GETFL);
    fcntl(fd, F_SETFL, flags | O_NONBLOCK);
    rc = connect(fd, a->ai_addr, a->ai_addrlen);
    if (rc != 0 && errno == EINPROGRESS) {
      pollfd p{fd, POLLOUT, 0};
      rc = poll(&p, 1, static_cast<int>(timeout.count()));
      if (rc == 0) {
        last_error = "no answer within " + std::to_string(timeout.count()) + " ms";
        rc = -1;
      } else if (rc > 0) {
        int err = 0;
        socklen_t len = sizeof err;
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
        rc = err == 0 ? 0 : -1;
        if (err) last_error = std::strerror(err);
      } else {
        last_error = Errno();
      }
    } else if (rc != 0) {
      last_error = Errno();
    }
    if (rc == 0) {
      fcntl(fd, F_SETFL, flags);
      int one = 1;
      setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      freeaddrinfo(found);
      return fd;
    }
    close(fd);
  }
  freeaddrinfo(found);
  return Status::Unavailable("cannot connect to Cassandra at " + where + ": " + last_error);
}

}  // namespace

std::optional<Credentials> Credentials::FromEnvironment() {
  const char* user = std::getenv("SHOPSTREAM_CASSANDRA_USER");
  const char* password = std::getenv("SHOPSTREAM_CASSANDRA_PASSWORD");
  if (!user || !*user) return std::nullopt;
  return Credentials{user, password ? password : ""};
}

Result<std::unique_ptr<Connection>> Connection::Open(const ConnectOptions& options) {
  auto fd = ConnectSocket(options.host, options.port, options.connect_timeout);
  if (!fd.ok()) return fd.status();
  std::unique_ptr<Connection> c(new Connection(*fd, options));
  Status s = c->Handshake();
  if (!s.ok()) return s;
  return c;
}

Connection::Connection(int fd, ConnectOptions options)
    : fd_(fd),
      options_(std::move(options)),
      address_(options_.host + ":" + std::to_string(options_.port)) {
  // A server that stops reading must not hang writers for ever.
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(options_.request_timeout.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>(options_.request_timeout.count() % 1000 * 1000);
  setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  pending_.resize(static_cast<size_t>(options_.max_streams));
  for (int i = options_.max_streams - 1; i >= 0; --i)
    free_streams_.push_back(static_cast<int16_t>(i));
  reader_ = std::thread([this] { ReadLoop(); });
}

Connection::~Connection() { Close(); }

Status Connection::Handshake() {
  auto reply = Call(Opcode::kStartup, EncodeStartup());
  if (!reply.ok()) return reply.status();
  std::string where = "Cassandra at " + address_;
  if (reply->header.opcode == Opcode::kAuthenticate) {
    auto authenticator = DecodeAuthenticate(reply->body);
    if (!authenticator.ok()) return authenticator.status();
    if (!options_.credentials) {
      return Status::InvalidArgument(where + " requires authentication (" + *authenticator +
                                     "); set SHOPSTREAM_CASSANDRA_USER and "
                                     "SHOPSTREAM_CASSANDRA_PASSWORD");
    }
    reply = Call(Opcode::kAuthResponse, EncodePlainAuthResponse(options_.credentials->user,
                                                                options_.credentials->password));
    if (!reply.ok()) return reply.status();
    if (reply->header.opcode == Opcode::kAuthSuccess) return Status::Ok();
    if (reply->header.opcode == Opcode::kAuthChallenge) {
      return Status::InvalidArgument(where +
                                     " sent an authentication challenge; only "
                                     "PasswordAuthenticator (SASL PLAIN) is supported");
    }
  }
  if (reply->header.opcode == Opcode::kReady) return Status::Ok();
  if (reply->header.opcode == Opcode::kError) {
    auto error = DecodeError(reply->body);
    if (!error.ok()) return error.status();
    return error->ToStatus(where);
  }
  return Status::Corruption(where + " answered the handshake with " +
                            OpcodeName(reply->header.opcode));
}

bool Connection::alive() const {
  std::lock_guard lock(mutex_);
  return !closed_;
}

void Connection::Send(Opcode opcode, std::string_view body, ResponseCallback done,
                      std::optional<std::chrono::milliseconds> timeout) {
  Queue(opcode, body, std::move(done), timeout);
  Flush();
}

void Connection::Queue(Opcode opcode, std::string_view body, ResponseCallback done,
                       std::optional<std::chrono::milliseconds> timeout) {
  int16_t stream;
  {
    std::unique_lock lock(mutex_);
    if (free_streams_.empty()) {
      // The replies that free an id may be to frames still in the buffer: send them first.
      lock.unlock();
      Flush();
      lock.lock();
    }
    bool got = stream_freed_.wait_for(lock, timeout.value_or(options_.request_timeout),
                                      [&] { return closed_ || !free_streams_.empty(); });
    if (closed_ || !got) {
      Status why =
          closed_ ? close_reason_
                  : Status::Unavailable("all " + std::to_string(options_.max_streams) +
                                        " streams to Cassandra at " + address_ + " stayed busy");
      lock.unlock();
      done(why);
      return;
    }
    stream = free_streams_.back();
    free_streams_.pop_back();
    auto deadline = std::chrono::steady_clock::now() + timeout.value_or(options_.request_timeout);
    pending_[static_cast<size_t>(stream)] =
        Pending{std::move(done), deadline, timeout.value_or(options_.request_timeout)};
  }
  const std::string frame = EncodeFrame(stream, opcode, body);
  std::lock_guard lock(queued_mutex_);
  queued_ += frame;
}

void Connection::Flush() {
  std::lock_guard lock(write_mutex_);
  std::string bytes;
  {
    std::lock_guard queued(queued_mutex_);
    bytes.swap(queued_);
  }
  if (bytes.empty()) return;
  Status written = WriteAllLocked(bytes);
  if (!written.ok()) {
    // The reader thread sees the shut-down socket and fails every pending request,
    // these included, so that each callback runs exactly once.
    if (!write_failure_logged_.exchange(true)) LogWarn(written.message());
    shutdown(fd_, SHUT_RDWR);
  }
}

Result<Frame> Connection::Call(Opcode opcode, std::string_view body,
                               std::optional<std::chrono::milliseconds> timeout) {
  std::promise<Result<Frame>> promise;
  auto future = promise.get_future();
  Send(
      opcode, body, [&promise](Result<Frame> r) { promise.set_value(std::move(r)); }, timeout);
  return future.get();
}

Status Connection::WriteAllLocked(std::string_view bytes) {
  if (fd_ < 0) return Status::Unavailable("connection to Cassandra at " + address_ + " is closed");
  while (!bytes.empty()) {
    ssize_t n = send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0)
      return Status::Unavailable("writing to Cassandra at " + address_ + " failed: " + Errno());
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return Status::Ok();
}

void Connection::ReadLoop() {
  std::string buffer;
  char chunk[64 * 1024];
  auto next_expiry_check = std::chrono::steady_clock::now();
  Status why;
  while (true) {
    pollfd p{fd_, POLLIN, 0};
    int rc = poll(&p, 1, kPollIntervalMs);
    if (rc < 0 && errno != EINTR) {
      why = Status::Unavailable("connection to Cassandra at " + address_ + " failed: " + Errno());
      break;
    }
    if (rc > 0) {
      ssize_t n = recv(fd_, chunk, sizeof chunk, 0);
      if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
      if (n <= 0) {
        why = Status::Unavailable("connection to Cassandra at " + address_ +
                                  (n == 0 ? " closed" : " lost: " + Errno()));
        break;
      }
      buffer.append(chunk, static_cast<size_t>(n));
      size_t used = 0;
      while (true) {
        auto size = FrameSizeIfKnown(std::string_view(buffer).substr(used));
        if (!size.ok()) {
          why = Status::Corruption("Cassandra at " + address_ +
                                   " sent a bad frame: " + size.status().message());
          break;
        }
        if (*size == 0 || buffer.size() - used < *size) break;
        auto frame = DecodeFrame(std::string_view(buffer).substr(used, *size));
        used += *size;
        if (frame.ok()) Dispatch(std::move(*frame));
      }
      buffer.erase(0, used);
      if (!why.ok()) break;
    }
    auto now = std::chrono::steady_clock::now();
    if (now >= next_expiry_check) {
      ExpireTimedOut();
      next_expiry_check = now + std::chrono::milliseconds(kPollIntervalMs);
    }
  }
  FailAll(why);
}

void Connection::Dispatch(Frame frame) {
  int16_t stream = frame.header.stream;
  if (stream < 0) return;  // server events: shopstream registers for none
  ResponseCallback done;
  {
    std::lock_guard lock(mutex_);
    if (static_cast<size_t>(stream) >= pending_.size() || !pending_[static_cast<size_t>(stream)]) {
      LogWarn("Cassandra at " + address_ + " answered unknown stream " + std::to_string(stream));
      return;
    }
    done = std::move(pending_[static_cast<size_t>(stream)]->done);
    pending_[static_cast<size_t>(stream)].reset();
    free_streams_.push_back(stream);
  }
  stream_freed_.notify_one();
  if (!done) return;  // it timed out earlier; its id is free again now
  ResponseExtras extras;
  auto rest = StripResponseExtras(frame.header.flags, frame.body, &extras);
  if (!rest.ok()) {
    done(rest.status());
    return;
  }
  for (const auto& warning : extras.warnings) LogWarn("Cassandra at " + address_ + ": " + warning);
  frame.body = std::string(*rest);
  done(std::move(frame));
}

void Connection::ExpireTimedOut() {
  auto now = std::chrono::steady_clock::now();
  std::vector<std::pair<ResponseCallback, std::chrono::milliseconds>> expired;
  size_t orphaned = 0;
  {
    std::lock_guard lock(mutex_);
    for (auto& p : pending_) {
      // The stream id stays taken until the late reply comes, so that it cannot be
      // mistaken for the reply to a newer request.
      if (p && p->done && p->deadline <= now) expired.emplace_back(std::move(p->done), p->timeout);
      if (p && !p->done) ++orphaned;
    }
  }
  // A server that leaves half the stream ids unanswered is stuck: drop the connection (the
  // reader then fails what is left) so that the session moves to a fresh one.
  if (orphaned > pending_.size() / 2) {
    LogWarn("Cassandra at " + address_ + " left " + std::to_string(orphaned) +
            " requests unanswered; closing the connection");
    shutdown(fd_, SHUT_RDWR);
  }
  for (auto& [done, timeout] : expired) {
    done(Status::Unavailable("request to Cassandra at " + address_ + " timed out after " +
                             std::to_string(timeout.count()) + " ms"));
  }
}

void Connection::FailAll(const Status& why) {
  std::vector<ResponseCallback> failed;
  Status reason =
      why.ok() ? Status::Unavailable("connection to Cassandra at " + address_ + " closed") : why;
  {
    std::lock_guard lock(mutex_);
    closed_ = true;
    close_reason_ = reason;
    for (auto& p : pending_) {
      if (p && p->done) failed.push_back(std::move(p->done));
      p.reset();
    }
  }
  stream_freed_.notify_all();
  for (auto& done : failed) done(reason);
}

void Connection::Close() {
  if (closing_.exchange(true)) return;
  shutdown(fd_, SHUT_RDWR);  // wakes the reader and any blocked writer
  if (reader_.get_id() == std::this_thread::get_id())
    return;  // a callback closing its own connection
  if (reader_.joinable()) reader_.join();
  std::lock_guard lock(write_mutex_);
  ::close(fd_);
  fd_ = -1;  // under write_mutex_: a late Send cannot write to a reused descriptor
}

}  // namespace shopstream::cassandra
