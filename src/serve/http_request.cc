#include "serve/http_request.h"

#include <algorithm>
#include <cstring>

namespace shopstream::serve {
namespace {

// RFC 9110 tchar.
bool IsTokenChar(unsigned char c) {
  if (c >= '0' && c <= '9') return true;
  if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') return true;
  return std::strchr("!#$%&'*+-.^_`|~", c) != nullptr && c != '\0';
}

bool IsToken(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return IsTokenChar(c); });
}

// Field values: visible characters, spaces, tabs and bytes >= 0x80 (obs-text).
bool IsFieldValue(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char ch) {
    auto c = static_cast<unsigned char>(ch);
    return c == '\t' || (c >= 0x20 && c != 0x7F);
  });
}

std::string_view TrimSpaces(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// True when the comma-separated list `value` holds `token` (ASCII case ignored).
bool ListHasToken(std::string_view value, std::string_view token) {
  while (!value.empty()) {
    size_t comma = value.find(',');
    if (EqualsIgnoreCase(TrimSpaces(value.substr(0, comma)), token)) return true;
    if (comma == std::string_view::npos) break;
    value.remove_prefix(comma + 1);
  }
  return false;
}

HttpError Error(int status, std::string reason) { return HttpError{status, std::move(reason)}; }

}  // namespace

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x | 0x20);
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y | 0x20);
    if (x != y) return false;
  }
  return true;
}

std::optional<std::string_view> HttpRequest::Header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (EqualsIgnoreCase(k, name)) return std::string_view(v);
  }
  return std::nullopt;
}

std::string_view HttpRequest::Param(std::string_view name) const {
  for (const auto& [k, v] : query) {
    if (k == name) return v;
  }
  return {};
}

bool HttpRequest::HasParam(std::string_view name) const {
  return std::any_of(query.begin(), query.end(), [&](const auto& kv) { return kv.first == name; });
}

bool HttpRequest::KeepAlive() const {
  bool close = false, keep_alive = false;
  for (const auto& [k, v] : headers) {
    if (!EqualsIgnoreCase(k, "Connection")) continue;
    close = close || ListHasToken(v, "close");
    keep_alive = keep_alive || ListHasToken(v, "keep-alive");
  }
  if (close) return false;
  return minor_version >= 1 || keep_alive;
}

size_t FindHeadEnd(std::string_view bytes) {
  for (size_t nl = bytes.find('\n'); nl != std::string_view::npos; nl = bytes.find('\n', nl + 1)) {
    if (nl + 1 < bytes.size() && bytes[nl + 1] == '\n') return nl + 2;
    if (nl + 2 < bytes.size() && bytes[nl + 1] == '\r' && bytes[nl + 2] == '\n') return nl + 3;
  }
  return 0;
}

std::optional<std::string> PercentDecode(std::string_view text, bool plus_is_space) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '%') {
      if (i + 2 >= text.size()) return std::nullopt;
      int hi = HexValue(text[i + 1]), lo = HexValue(text[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::optional<std::vector<std::pair<std::string, std::string>>> ParseQuery(std::string_view query) {
  std::vector<std::pair<std::string, std::string>> out;
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view part = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (part.empty()) continue;
    size_t eq = part.find('=');
    auto key = PercentDecode(part.substr(0, eq), true);
    auto value = PercentDecode(eq == std::string_view::npos ? "" : part.substr(eq + 1), true);
    if (!key || !value) return std::nullopt;
    out.emplace_back(std::move(*key), std::move(*value));
  }
  return out;
}

std::variant<HttpRequest, HttpError> ParseRequestHead(std::string_view head, size_t max_body) {
  // Lines without their line ends; a CR anywhere but before a LF is refused.
  std::vector<std::string_view> lines;
  while (!head.empty()) {
    size_t nl = head.find('\n');
    std::string_view line = head.substr(0, nl);
    head = nl == std::string_view::npos ? std::string_view() : head.substr(nl + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.find('\r') != std::string_view::npos) return Error(400, "a bare CR in the request");
    if (line.empty()) break;  // the end of the head
    lines.push_back(line);
  }
  if (lines.empty()) return Error(400, "an empty request");

  HttpRequest req;
  const std::string_view request_line = lines[0];
  const size_t sp1 = request_line.find(' ');
  const size_t sp2 = sp1 == std::string_view::npos ? sp1 : request_line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos || request_line.find(' ', sp2 + 1) != std::string_view::npos) {
    return Error(400, "a malformed request line");
  }
  const std::string_view method = request_line.substr(0, sp1);
  const std::string_view target = request_line.substr(sp1 + 1, sp2 - sp1 - 1);
  const std::string_view version = request_line.substr(sp2 + 1);
  if (!IsToken(method)) return Error(400, "a malformed method");
  if (target.empty() || target[0] != '/' ||
      !std::all_of(target.begin(), target.end(), [](char c) { return c > 0x20 && c < 0x7F; })) {
    return Error(400, "the target is not a path (\"/...\")");
  }
  if (version.size() != 8 || version.substr(0, 5) != "HTTP/" || version[6] != '.' ||
      version[5] < '0' || version[5] > '9' || version[7] < '0' || version[7] > '9') {
    return Error(400, "a malformed HTTP version");
  }
  if (version[5] != '1') return Error(505, "only HTTP/1.0 and HTTP/1.1 are served");
  req.method.assign(method);
  req.target.assign(target);
  req.minor_version = version[7] - '0';

  const size_t question = target.find('?');
  auto path = PercentDecode(target.substr(0, question), false);
  if (!path) return Error(400, "a bad %-escape in the path");
  req.path = std::move(*path);
  if (question != std::string_view::npos) {
    auto query = ParseQuery(target.substr(question + 1));
    if (!query) return Error(400, "a bad %-escape in the query");
    req.query = std::move(*query);
  }

  if (lines.size() - 1 > kMaxHeaderCount) return Error(431, "too many header fields");
  std::optional<std::string_view> content_length;
  int hosts = 0;
  for (size_t i = 1; i < lines.size(); ++i) {
    const std::string_view line = lines[i];
    if (line[0] == ' ' || line[0] == '\t') return Error(400, "a folded header line");
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos || !IsToken(line.substr(0, colon))) {
      return Error(400, "a malformed header line");
    }
    const std::string_view name = line.substr(0, colon);
    const std::string_view value = TrimSpaces(line.substr(colon + 1));
    if (!IsFieldValue(value)) return Error(400, "a control character in a header");
    if (EqualsIgnoreCase(name, "Transfer-Encoding")) {
      return Error(501, "request bodies with a Transfer-Encoding are not accepted");
    }
    if (EqualsIgnoreCase(name, "Host")) ++hosts;
    if (EqualsIgnoreCase(name, "Content-Length")) {
      if (content_length && *content_length != value) {
        return Error(400, "conflicting Content-Length headers");
      }
      content_length = value;
    }
    req.headers.emplace_back(std::string(name), std::string(value));
  }
  if (hosts > 1 || (hosts == 0 && req.minor_version >= 1)) {
    return Error(400, "an HTTP/1.1 request needs exactly one Host header");
  }
  if (content_length) {
    const std::string_view digits = *content_length;
    if (digits.empty() ||
        !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      return Error(400, "a malformed Content-Length");
    }
    size_t length = 0;
    bool too_large = false;
    for (char c : digits) {
      // Checked before each step, so that no number of digits overflows.
      const auto digit = static_cast<size_t>(c - '0');
      too_large = too_large || digit > max_body || length > (max_body - digit) / 10;
      if (too_large) break;
      length = length * 10 + digit;
    }
    if (too_large) {
      return Error(413, "the request body is larger than " + std::to_string(max_body) + " bytes");
    }
    req.content_length = length;
  }
  return req;
}

}  // namespace shopstream::serve
