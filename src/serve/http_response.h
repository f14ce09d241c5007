// HTTP responses of the dashboard's server: what a handler returns, and its head as bytes.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace shopstream::serve {

struct HttpResponse {
  int status = 200;
  // Content-Length and Connection are the server's; a handler sets everything else.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  // When not empty, sent instead of `body` without a copy; it must outlive the server (the
  // embedded page, or memory owned by the server's owner).
  std::string_view static_body;
  // An event stream (Server-Sent Events): the head is sent with no length, then `greeting()`
  // (called on the server's loop thread as the stream opens, so that no Broadcast() between the
  // handler and the opening is lost), then every HttpServer::Broadcast(), until either side
  // closes.
  bool event_stream = false;
  std::function<std::string()> greeting;

  std::string_view Body() const {
    return static_body.empty() ? std::string_view(body) : static_body;
  }
  void SetHeader(std::string name, std::string value) {
    headers.emplace_back(std::move(name), std::move(value));
  }
};

// "OK", "Not Found", ...; "Unknown" for codes the server never sends.
const char* StatusText(int status);

// The status line and headers, with the blank line that ends them. `content_length` < 0 sends
// none (an event stream, delimited by the connection's end); `close` adds "Connection: close";
// `keep_alive_1_0` adds "Connection: keep-alive" (an HTTP/1.0 client that asked for it).
std::string ResponseHead(const HttpResponse& response, long long content_length, bool close,
                         bool keep_alive_1_0,
                         const std::vector<std::pair<std::string, std::string>>& common_headers);

// A response with a JSON body {"error": reason}.
HttpResponse ErrorResponse(int status, std::string_view reason);

}  // namespace shopstream::serve
