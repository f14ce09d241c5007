// The dashboard's HTTP server: the embedded single-page dashboard, a JSON API over a
// QueryStore, /metrics (Prometheus text), /healthz, and /api/events, a Server-Sent Events
// stream that sends a "tick" whenever the store reports a new commit.
//
//   shopstream::serve::DashboardServer server;
//   if (auto s = server.Start("127.0.0.1:8088", store); !s.ok()) ...
//   ... server.port() ...
//   server.Stop();  // also done by the destructor
//
// `store` must outlive the server. Start() returns once the port is bound; requests are
// served on a thread pool. Stop() ends the live streams and joins every thread.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "common/status.h"
#include "store/query/query_store.h"

namespace httplib {
class Server;
}

namespace shopstream::serve {

struct DashboardOptions {
  // How often the store is asked whether new data was committed.
  std::chrono::milliseconds poll_interval{500};
  // Live streams send a comment line this often so that idle proxies keep them open.
  std::chrono::milliseconds keepalive_interval{15000};
  // Worker threads; each open live stream holds one.
  int threads = 24;
  // Live streams beyond this are refused (503), so that page loads always find a worker.
  int max_live_streams = 16;
};

class DashboardServer {
 public:
  DashboardServer();
  ~DashboardServer();
  DashboardServer(const DashboardServer&) = delete;
  DashboardServer& operator=(const DashboardServer&) = delete;

  // Binds `listen` ("HOST:PORT"; port 0 picks a free one) and starts serving. Fails with
  // InvalidArgument for a malformed address and Unavailable when the port cannot be bound
  // (taken, or an address of another machine).
  Status Start(const std::string& listen, QueryStore& store, DashboardOptions options = {});
  // Stops serving; idempotent.
  void Stop();
  // The bound port, once started.
  int port() const { return port_; }

 private:
  // `loopback_only`: answer only requests whose Host header names this machine.
  void RegisterRoutes(bool loopback_only);
  // Polls the store's change stamp; `last` is the stamp seen at Start().
  void WatchForCommits(std::optional<int64_t> last);

  std::unique_ptr<httplib::Server> http_;
  QueryStore* store_ = nullptr;
  DashboardOptions options_;
  int port_ = 0;
  std::thread listener_;
  std::thread watcher_;

  // Live mode: the watcher bumps `tick_` on each new commit and wakes the streams.
  std::mutex mu_;
  std::condition_variable changed_;
  uint64_t tick_ = 0;
  bool stopping_ = false;
  bool started_ = false;
  std::atomic<int> live_streams_{0};
};

// Splits "HOST:PORT" ("[::1]:8088" for IPv6). InvalidArgument on anything else.
Status ParseListenAddress(const std::string& listen, std::string& host, int& port);

}  // namespace shopstream::serve
