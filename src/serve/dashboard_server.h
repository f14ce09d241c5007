// The dashboard's HTTP server: the embedded single-page dashboard, a JSON API over a
// QueryStore, /metrics (Prometheus text), /healthz, and /api/events, a Server-Sent Events
// stream that sends a "tick" whenever the store reports a new commit.
//
//   shopstream::serve::DashboardServer server;
//   if (auto s = server.Start("127.0.0.1:8088", store); !s.ok()) ...
//   ... server.port() ...
//   server.Stop();  // also done by the destructor
//
// `store` must outlive the server. Start() returns once the port is bound; requests are read
// by the event loop of http_server.h and answered on its worker threads, within its limits
// (request deadlines, body and header sizes, connection caps). Stop() ends the live streams
// and joins every thread.
//
// Bound to a loopback address (however `listen` spells it), only requests whose Host header
// names this machine are answered (host_check.h); others get 403.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "common/status.h"
#include "query/query_store.h"
#include "serve/http_server.h"

namespace shopstream::serve {

struct DashboardOptions {
  // How often the store is asked whether new data was committed.
  std::chrono::milliseconds poll_interval{500};
  // The HTTP server's limits and worker threads; its common_headers are the dashboard's own.
  HttpServerOptions http;
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
  Status Start(const std::string& listen, query::QueryStore& store, DashboardOptions options = {});
  // Stops serving; idempotent.
  void Stop();
  // The bound port, once started.
  int port() const { return http_.port(); }
  // Answers one request as the server does (the Host check as for its bound address), for
  // another transport in front of the same routes (bench/http_servers).
  HttpResponse Handle(const HttpRequest& request) { return Route(request); }

 private:
  HttpResponse Route(const HttpRequest& request);
  HttpResponse Asset(const HttpRequest& request, const std::string& asset_path);
  HttpResponse Events();
  // Polls the store's change stamp; `last` is the stamp seen at Start().
  void WatchForCommits(std::optional<int64_t> last);

  query::QueryStore* store_ = nullptr;
  DashboardOptions options_;
  // Each asset's gzip, made at Start() and served without a copy.
  std::map<std::string, std::string, std::less<>> gzipped_;
  std::thread watcher_;

  // Live mode: the watcher bumps `tick_` on each new commit and broadcasts it.
  std::mutex mu_;
  std::condition_variable changed_;
  uint64_t tick_ = 0;
  bool stopping_ = false;
  bool started_ = false;

  // Last, so that it stops before what its handlers use goes away.
  HttpServer http_;
};

// Splits "HOST:PORT" ("[::1]:8088" for IPv6). InvalidArgument on anything else.
Status ParseListenAddress(const std::string& listen, std::string& host, int& port);

}  // namespace shopstream::serve
