// One HTTP transport in front of the dashboard's routes, for bench/http_servers: today's server
// (serve/http_server.h), Boost.Beast, or libmicrohttpd, each with the same limits where the
// library has them, so that the benchmark compares transports and not handlers.
#pragma once

#include <memory>
#include <string>

#include "common/status.h"
#include "serve/http_server.h"

namespace shopstream::bench {

class Transport {
 public:
  virtual ~Transport() = default;
  // Listens on 127.0.0.1:0 and answers every request with `handler`.
  virtual Status Start(serve::HttpHandler handler, const serve::HttpServerOptions& options) = 0;
  virtual int port() const = 0;
  // Sends `data` to every open event stream.
  virtual void Broadcast(std::string data) = 0;
};

std::unique_ptr<Transport> MakeOurTransport();
std::unique_ptr<Transport> MakeBeastTransport();
std::unique_ptr<Transport> MakeMhdTransport();

// The request a library parsed, as our handlers take it: `target` split into the decoded path
// and query. False on a bad escape.
bool FillTarget(const std::string& target, serve::HttpRequest& request);

}  // namespace shopstream::bench
