// The alerts' webhook: each alert change POSTed as JSON to an http:// URL, from a thread of its
// own, retried with exponential backoff; never holds the stream up (Offer only queues, and a
// full queue drops the oldest change, counted). The URL and an optional secret (sent as
// `Authorization: Bearer SECRET`) come from the environment or an option file, never argv:
// see WebhookConfigFromEnvironment.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <thread>

#include "common/status.h"

namespace shopstream::alert {

struct WebhookConfig {
  std::string url;     // http://HOST[:PORT][/PATH]
  std::string secret;  // empty: no Authorization header
  int attempts = 5;    // per change
  std::chrono::milliseconds first_backoff{500};
  std::chrono::milliseconds timeout{5000};  // connect, send and answer, per attempt
  size_t queue_limit = 1000;
};

// $SHOPSTREAM_ALERT_WEBHOOK_URL and $SHOPSTREAM_ALERT_WEBHOOK_SECRET, else the file named by
// $SHOPSTREAM_ALERT_WEBHOOK_FILE (lines `url = ...`, `secret = ...`, `#` comments). An empty
// url: no webhook. A file that cannot be read, or a URL that is not http://, is InvalidArgument.
Result<WebhookConfig> WebhookConfigFromEnvironment();

// "http://host:port/path" into its parts; InvalidArgument for anything else.
struct HttpUrl {
  std::string host;
  int port = 80;
  std::string path = "/";
};
Result<HttpUrl> ParseHttpUrl(const std::string& url);

class Webhook {
 public:
  explicit Webhook(WebhookConfig config);  // REQUIRES: ParseHttpUrl(config.url) is ok
  ~Webhook();                              // tries what is queued once more, briefly, then stops
  Webhook(const Webhook&) = delete;
  Webhook& operator=(const Webhook&) = delete;

  // Queues one JSON body; returns at once.
  void Offer(std::string json);

  int64_t delivered() const { return delivered_; }
  int64_t failed() const { return failed_; }  // gave up after every attempt, or dropped
  int64_t attempts() const { return attempts_; }

 private:
  void Loop();
  Status PostOnce(const std::string& body);

  WebhookConfig config_;
  HttpUrl url_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::string> queue_;
  bool stopping_ = false;
  std::atomic<int64_t> delivered_{0}, failed_{0}, attempts_{0};
  std::thread thread_;
};

}  // namespace shopstream::alert
