// The dashboard's HTTP/1.1 server: one thread runs a poll() loop that accepts connections,
// reads every request against deadlines and writes every answer without blocking; complete
// requests run on a small pool of worker threads. A client that is slow, idle or hostile
// therefore holds a socket and a few kilobytes, never a thread: 50 clients that send one
// header line every 2 s cost the loop nothing while /healthz is answered.
//
//   HttpServer server;
//   if (auto s = server.Start("127.0.0.1", 0, handler, HttpServerOptions{}); !s.ok()) ...
//   ... server.port() ...
//   server.Broadcast("event: tick\ndata: {}\n\n");  // to every open event stream
//   server.Stop();  // also done by the destructor
//
// Limits (HttpServerOptions), each answered as the HTTP specification says:
//  - a request head over max_head_bytes: 431; a body over max_body_bytes: 413, before it is
//    read; a request not complete within request_timeout of its first byte: 408;
//  - a connection with no request for idle_timeout (a new one included) is closed; one that
//    takes no bytes of its answer for write_timeout is closed; after max_requests_per_connection
//    answers a connection is closed;
//  - at most max_connections at once: one more closes the connection that has waited longest in
//    any state but "being answered", so that a flood cannot lock out new clients;
//  - at most max_event_streams event streams (503 beyond); one whose client stops reading is
//    dropped when max_stream_backlog bytes wait for it.
// Range headers are ignored (RFC 9110 allows it): answers are always whole.
//
// Thread safety: Start and Stop from one thread; Broadcast and event_streams from any, but
// Broadcast not while Stop runs (its caller's threads stop first: DashboardServer::Stop).
// The handler runs on the worker threads, several at once.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "common/status.h"
#include "serve/http_request.h"
#include "serve/http_response.h"

namespace shopstream::serve {

struct HttpServerOptions {
  int workers = 4;
  size_t max_connections = 256;
  size_t max_head_bytes = 16 * 1024;
  size_t max_body_bytes = 4 * 1024;
  std::chrono::milliseconds request_timeout{10000};
  std::chrono::milliseconds idle_timeout{5000};
  std::chrono::milliseconds write_timeout{10000};
  int max_requests_per_connection = 100;
  size_t max_event_streams = 16;
  // An event stream with nothing to say for this long gets a comment line, so that proxies
  // keep it open.
  std::chrono::milliseconds stream_keepalive{15000};
  size_t max_stream_backlog = 64 * 1024;
  // Added to every response, the server's own errors included.
  std::vector<std::pair<std::string, std::string>> common_headers;
};

using HttpHandler = std::function<HttpResponse(const HttpRequest&)>;

class HttpServer {
 public:
  HttpServer();
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds host:port (port 0: one the kernel picks; host a numeric address or a name) and starts
  // the loop and the workers. Unavailable with the reason when it cannot bind ("the port is
  // taken by another program").
  Status Start(const std::string& host, int port, HttpHandler handler, HttpServerOptions options);
  // Closes every connection and joins every thread (after their handlers return). Idempotent.
  void Stop();
  int port() const { return port_; }
  // Whether the bound address is one only this machine can reach (host_check.h); set before
  // Start returns, so the handler may read it.
  bool bound_to_loopback() const { return bound_to_loopback_; }

  // Queues `data` for every event stream open when the loop next runs.
  void Broadcast(std::string data);
  size_t event_streams() const { return streams_.load(); }

 private:
  struct Loop;
  std::unique_ptr<Loop> loop_;
  int port_ = 0;
  bool bound_to_loopback_ = false;
  std::atomic<size_t> streams_{0};
};

}  // namespace shopstream::serve
