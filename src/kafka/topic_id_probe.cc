#include "kafka/topic_id_probe.h"

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace shopstream::kafka {
namespace {

using Clock = std::chrono::steady_clock;

// A response about one topic is a few hundred bytes per partition; more is not a response.
constexpr uint32_t kMaxResponseBytes = 4 << 20;
// Error 3 of the protocol: UNKNOWN_TOPIC_OR_PARTITION.
constexpr int16_t kUnknownTopic = 3;

class Socket {
 public:
  explicit Socket(int fd) : fd_(fd) {}
  ~Socket() {
    if (fd_ >= 0) close(fd_);
  }
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;
  int fd() const { return fd_; }

 private:
  int fd_;
};

int MillisLeft(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  return static_cast<int>(std::max<int64_t>(0, left.count()));
}

// Waits until `fd` is ready for `events`; false on time-out or error.
bool WaitFor(int fd, short events, Clock::time_point deadline) {
  pollfd p{fd, events, 0};
  int rc;
  do {
    rc = poll(&p, 1, MillisLeft(deadline));
  } while (rc < 0 && errno == EINTR);
  return rc > 0 && !(p.revents & (POLLERR | POLLNVAL));
}

Result<int> Connect(const std::string& host, const std::string& port, Clock::time_point deadline) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (int rc = getaddrinfo(host.c_str(), port.c_str(), &hints, &found); rc != 0) {
    return Status::Unavailable("cannot resolve " + host + ": " + gai_strerror(rc));
  }
  std::string error = "no address";
  for (addrinfo* a = found; a; a = a->ai_next) {
    int fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, a->ai_protocol);
    if (fd < 0) continue;
    int rc = connect(fd, a->ai_addr, a->ai_addrlen);
    if (rc != 0 && errno == EINPROGRESS && WaitFor(fd, POLLOUT, deadline)) {
      int err = 0;
      socklen_t len = sizeof err;
      getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
      rc = err == 0 ? 0 : -1;
      if (err) error = std::strerror(err);
    } else if (rc != 0) {
      error = errno == EINPROGRESS ? "no answer in time" : std::strerror(errno);
    }
    if (rc == 0) {
      freeaddrinfo(found);
      return fd;
    }
    close(fd);
  }
  freeaddrinfo(found);
  return Status::Unavailable("cannot connect to " + host + ":" + port + ": " + error);
}

Status SendAll(int fd, std::string_view bytes, Clock::time_point deadline) {
  while (!bytes.empty()) {
    ssize_t n = send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n > 0) {
      bytes.remove_prefix(static_cast<size_t>(n));
    } else if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
      if (!WaitFor(fd, POLLOUT, deadline)) return Status::Unavailable("sending timed out");
    } else {
      return Status::Unavailable(std::string("sending: ") + std::strerror(errno));
    }
  }
  return Status::Ok();
}

Status ReceiveAll(int fd, char* out, size_t size, Clock::time_point deadline) {
  while (size > 0) {
    ssize_t n = recv(fd, out, size, 0);
    if (n > 0) {
      out += n;
      size -= static_cast<size_t>(n);
    } else if (n == 0) {
      return Status::Unavailable("the broker closed the connection");
    } else if (errno == EAGAIN || errno == EINTR) {
      if (!WaitFor(fd, POLLIN, deadline)) return Status::Unavailable("no answer in time");
    } else {
      return Status::Unavailable(std::string("receiving: ") + std::strerror(errno));
    }
  }
  return Status::Ok();
}

Result<TopicId> AskBroker(const std::string& broker, const std::string& topic,
                          Clock::time_point deadline) {
  const size_t colon = broker.rfind(':');
  const std::string host = colon == std::string::npos ? broker : broker.substr(0, colon);
  const std::string port = colon == std::string::npos ? "9092" : broker.substr(colon + 1);
  auto fd = Connect(host, port, deadline);
  if (!fd.ok()) return fd.status();
  Socket socket(*fd);
  constexpr int32_t kCorrelation = 1;
  const std::string request = EncodeMetadataRequest(kCorrelation, "shopstream-topic-id", topic);
  if (Status s = SendAll(socket.fd(), request, deadline); !s.ok()) return s;
  char size_bytes[4];
  if (Status s = ReceiveAll(socket.fd(), size_bytes, 4, deadline); !s.ok()) return s;
  uint32_t size = 0;
  for (char c : size_bytes) size = (size << 8) | static_cast<uint8_t>(c);
  if (size > kMaxResponseBytes) {
    return Status::Corruption("a metadata response of " + std::to_string(size) +
                              " bytes (a TLS or SASL listener?)");
  }
  std::string response(size, '\0');
  if (Status s = ReceiveAll(socket.fd(), response.data(), size, deadline); !s.ok()) return s;
  auto topics = DecodeMetadataResponse(response, kCorrelation);
  if (!topics.ok()) return topics.status();
  for (const MetadataTopic& t : *topics) {
    if (t.name != topic) continue;
    if (t.error_code == kUnknownTopic) return Status::NotFound("topic '" + topic + "' not found");
    if (t.error_code != 0) {
      return Status::Unavailable("the broker answered error " + std::to_string(t.error_code) +
                                 " for topic '" + topic + "'");
    }
    return t.id;  // all zeros from a Kafka before 2.8
  }
  return Status::Corruption("the metadata response does not name topic '" + topic + "'");
}

}  // namespace

bool ProbeCanConnect(const Settings& settings) {
  std::string protocol = "plaintext";
  for (const auto& [key, value] : settings) {
    if (key == "security.protocol") protocol = value;
  }
  std::transform(protocol.begin(), protocol.end(), protocol.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  return protocol == "plaintext";
}

Result<TopicId> FetchTopicId(const std::string& brokers, const std::string& topic,
                             std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  Status last = Status::Unavailable("no broker listed");
  size_t begin = 0;
  while (begin <= brokers.size()) {
    size_t end = brokers.find(',', begin);
    if (end == std::string::npos) end = brokers.size();
    const std::string broker = brokers.substr(begin, end - begin);
    begin = end + 1;
    if (broker.empty()) continue;
    auto id = AskBroker(broker, topic, deadline);
    if (id.ok() || id.status().code() != StatusCode::kUnavailable) return id;
    last = Status::Unavailable(broker + ": " + id.status().message());
  }
  return last;
}

}  // namespace shopstream::kafka
