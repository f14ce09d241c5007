// HTTP/1.1 requests as the dashboard's server reads them (RFC 9112), as pure functions of
// bytes so that they are tested and fuzzed without sockets.
//
// What is accepted is deliberately narrow: origin-form targets ("/path?query"), HTTP/1.0 and
// 1.1, header names that are tokens, at most kMaxHeaderCount headers, no obsolete line
// folding, no Transfer-Encoding (the dashboard takes no streamed bodies), one Content-Length.
// Every refusal carries the status code to answer with.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace shopstream::serve {

inline constexpr size_t kMaxHeaderCount = 100;

struct HttpRequest {
  std::string method;  // "GET", "HEAD", ... as sent (methods are case-sensitive)
  std::string target;  // as sent, e.g. "/api/kpis?from=2019-11-08"
  std::string path;    // percent-decoded, e.g. "/api/kpis"
  std::vector<std::pair<std::string, std::string>> query;  // decoded, in order
  int minor_version = 1;                                   // HTTP/1.<minor_version>
  std::vector<std::pair<std::string, std::string>> headers;
  size_t content_length = 0;
  std::string body;

  // The first value of header `name` (case-insensitive), if any.
  std::optional<std::string_view> Header(std::string_view name) const;
  // The first value of query parameter `name`, or "" when absent.
  std::string_view Param(std::string_view name) const;
  bool HasParam(std::string_view name) const;
  // Whether the client asked to keep the connection open after this request.
  bool KeepAlive() const;
};

// A request that cannot be served: the status to answer with (400, 413, 431, 501, 505) and
// why, for the error body.
struct HttpError {
  int status = 400;
  std::string reason;
};

// The length of the request head at the start of `bytes` (request line and headers up to and
// including the empty line; CRLF or bare LF line ends), or 0 while it is incomplete.
size_t FindHeadEnd(std::string_view bytes);

// Parses a complete request head (as delimited by FindHeadEnd). Content-Length larger than
// `max_body` is refused with 413 before any body is read.
std::variant<HttpRequest, HttpError> ParseRequestHead(std::string_view head, size_t max_body);

// Decodes %XX escapes (and '+' as a space when `plus_is_space`); nullopt on a bad escape.
std::optional<std::string> PercentDecode(std::string_view text, bool plus_is_space);

// Splits "a=1&b=2" into decoded pairs; nullopt on a bad escape.
std::optional<std::vector<std::pair<std::string, std::string>>> ParseQuery(std::string_view query);

// True when `a` and `b` are equal ignoring ASCII case.
bool EqualsIgnoreCase(std::string_view a, std::string_view b);

}  // namespace shopstream::serve
