#include "alert/webhook.h"

#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <fstream>

#include "common/log.h"

namespace shopstream::alert {
namespace {

std::string Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return std::string(s);
}

// Waits until `fd` is ready for `events` or the deadline passes.
bool Ready(int fd, short events, std::chrono::steady_clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - std::chrono::steady_clock::now());
  if (left.count() <= 0) return false;
  pollfd p{fd, events, 0};
  return poll(&p, 1, static_cast<int>(left.count())) == 1;
}

}  // namespace

Result<HttpUrl> ParseHttpUrl(const std::string& url) {
  constexpr std::string_view kScheme = "http://";
  if (url.rfind(kScheme, 0) != 0) {
    return Status::InvalidArgument("the alert webhook URL must start with http://");
  }
  std::string_view rest = std::string_view(url).substr(kScheme.size());
  HttpUrl out;
  const size_t slash = rest.find('/');
  if (slash != std::string_view::npos) out.path = std::string(rest.substr(slash));
  std::string_view authority = rest.substr(0, slash);
  if (authority.find('@') != std::string_view::npos) {
    return Status::InvalidArgument("the alert webhook URL takes no user (use the secret)");
  }
  const size_t colon = authority.rfind(':');
  if (colon != std::string_view::npos) {
    const std::string_view port = authority.substr(colon + 1);
    const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), out.port);
    if (ec != std::errc() || end != port.data() + port.size() || out.port < 1 || out.port > 65535) {
      return Status::InvalidArgument("the alert webhook URL has a bad port");
    }
    authority = authority.substr(0, colon);
  }
  if (authority.empty()) return Status::InvalidArgument("the alert webhook URL has no host");
  for (char c : out.path) {
    if (c <= ' ' || c == 0x7f) return Status::InvalidArgument("the alert webhook path has a space");
  }
  out.host = std::string(authority);
  return out;
}

Result<WebhookConfig> WebhookConfigFromEnvironment() {
  WebhookConfig config;
  const char* url = std::getenv("SHOPSTREAM_ALERT_WEBHOOK_URL");
  const char* secret = std::getenv("SHOPSTREAM_ALERT_WEBHOOK_SECRET");
  const char* file = std::getenv("SHOPSTREAM_ALERT_WEBHOOK_FILE");
  if (url && *url) {
    config.url = url;
    if (secret) config.secret = secret;
  } else if (file && *file) {
    std::ifstream in(file);
    if (!in) return Status::InvalidArgument(std::string("cannot read the webhook file ") + file);
    std::string line;
    for (int n = 1; std::getline(in, line); ++n) {
      const std::string text = Trim(line.substr(0, line.find('#')));
      if (text.empty()) continue;
      const size_t eq = text.find('=');
      const std::string key = Trim(text.substr(0, eq == std::string::npos ? text.size() : eq));
      if (eq == std::string::npos || (key != "url" && key != "secret")) {
        return Status::InvalidArgument(std::string(file) + ":" + std::to_string(n) +
                                       ": expected url = ... or secret = ...");
      }
      (key == "url" ? config.url : config.secret) = Trim(text.substr(eq + 1));
    }
  }
  if (config.url.empty()) return config;
  if (auto parsed = ParseHttpUrl(config.url); !parsed.ok()) return parsed.status();
  return config;
}

Webhook::Webhook(WebhookConfig config)
    : config_(std::move(config)),
      url_(ParseHttpUrl(config_.url).value()),
      thread_([this] { Loop(); }) {}

Webhook::~Webhook() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void Webhook::Offer(std::string json) {
  {
    std::lock_guard lock(mu_);
    if (queue_.size() >= config_.queue_limit) {
      queue_.pop_front();
      ++failed_;
    }
    queue_.push_back(std::move(json));
  }
  cv_.notify_all();
}

void Webhook::Loop() {
  std::unique_lock lock(mu_);
  for (;;) {
    cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) return;
    const std::string body = queue_.front();
    queue_.pop_front();
    const bool last_chance = stopping_;
    lock.unlock();
    auto backoff = config_.first_backoff;
    Status s;
    for (int attempt = 1; attempt <= (last_chance ? 1 : config_.attempts); ++attempt) {
      ++attempts_;
      s = PostOnce(body);
      if (s.ok()) break;
      if (attempt == config_.attempts) break;
      // Waits out the backoff, or less when the process is stopping.
      std::unique_lock wait(mu_);
      if (cv_.wait_for(wait, backoff, [&] { return stopping_; })) break;
      backoff *= 2;
    }
    if (s.ok()) {
      ++delivered_;
    } else {
      ++failed_;
      LogWarn("alert webhook: gave up on a change: " + s.message());
    }
    lock.lock();
  }
}

Status Webhook::PostOnce(const std::string& body) {
  const auto deadline = std::chrono::steady_clock::now() + config_.timeout;
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  const std::string port = std::to_string(url_.port);
  if (getaddrinfo(url_.host.c_str(), port.c_str(), &hints, &found) != 0 || !found) {
    return Status::Unavailable("cannot resolve " + url_.host);
  }
  const int fd = socket(found->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  const int rc = fd < 0 ? -1 : connect(fd, found->ai_addr, found->ai_addrlen);
  freeaddrinfo(found);
  if (fd < 0) return Status::Unavailable("no socket");
  struct Closer {
    int fd;
    ~Closer() { close(fd); }
  } closer{fd};
  if (rc != 0 && errno != EINPROGRESS) return Status::Unavailable("cannot connect");
  if (!Ready(fd, POLLOUT, deadline)) return Status::Unavailable("connect timed out");
  int error = 0;
  socklen_t len = sizeof error;
  if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &len) != 0 || error != 0) {
    return Status::Unavailable("cannot connect to " + url_.host + ":" + port);
  }
  std::string request =
      "POST " + url_.path + " HTTP/1.1\r\nHost: " + url_.host + ":" + port +
      "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
      "\r\nConnection: close\r\n";
  if (!config_.secret.empty()) request += "Authorization: Bearer " + config_.secret + "\r\n";
  request += "\r\n" + body;
  for (size_t sent = 0; sent < request.size();) {
    if (!Ready(fd, POLLOUT, deadline)) return Status::Unavailable("send timed out");
    const ssize_t n = send(fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return Status::Unavailable("send failed");
    sent += static_cast<size_t>(n);
  }
  std::string answer;
  char buf[512];
  while (answer.find("\r\n") == std::string::npos && answer.size() < 4096) {
    if (!Ready(fd, POLLIN, deadline)) return Status::Unavailable("no answer in time");
    const ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n <= 0) return Status::Unavailable("the connection closed without an answer");
    answer.append(buf, static_cast<size_t>(n));
  }
  // "HTTP/1.1 204 No Content": any 2xx is delivered.
  if (answer.size() < 12 || answer.compare(0, 5, "HTTP/") != 0 || answer[9] != '2') {
    return Status::Unavailable("answered " +
                               answer.substr(0, std::min<size_t>(answer.find('\r'), 40)));
  }
  return Status::Ok();
}

}  // namespace shopstream::alert
