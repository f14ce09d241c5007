#include "common/uri.h"

#include <charconv>

namespace shopstream {

std::string Uri::Param(const std::string& key, const std::string& fallback) const {
  auto it = query.find(key);
  return it == query.end() ? fallback : it->second;
}

Result<Uri> ParseUri(const std::string& text) {
  Uri uri;
  uri.text = text;
  auto sep = text.find("://");
  if (sep == std::string::npos || sep == 0) {
    return Status::InvalidArgument(
        "'" + text + "' is not a URI (expected SCHEME://..., e.g. sqlite:///tmp/log.db)");
  }
  for (char c : text.substr(0, sep)) uri.scheme += static_cast<char>(std::tolower(c));
  std::string rest = text.substr(sep + 3);

  if (auto q = rest.find('?'); q != std::string::npos) {
    std::string query = rest.substr(q + 1);
    rest.resize(q);
    size_t start = 0;
    while (start <= query.size()) {
      size_t amp = query.find('&', start);
      std::string pair =
          query.substr(start, amp == std::string::npos ? std::string::npos : amp - start);
      if (!pair.empty()) {
        auto eq = pair.find('=');
        uri.query[pair.substr(0, eq)] = eq == std::string::npos ? "" : pair.substr(eq + 1);
      }
      if (amp == std::string::npos) break;
      start = amp + 1;
    }
  }

  if (uri.scheme == "sqlite") {  // sqlite:///abs/path or sqlite://relative/path
    uri.path = rest;
    if (uri.path.empty()) return Status::InvalidArgument("'" + text + "' names no database file");
    return uri;
  }

  auto slash = rest.find('/');
  std::string authority = rest.substr(0, slash);
  uri.path = slash == std::string::npos ? "" : rest.substr(slash + 1);
  if (auto at = authority.rfind('@'); at != std::string::npos) {
    uri.user = authority.substr(0, at);
    authority = authority.substr(at + 1);
    if (uri.user.find(':') != std::string::npos) {
      std::string message = "'";
      message.append(text, 0, sep + 3)
          .append(
              "...' carries a password; give secrets through the environment or an option "
              "file instead");
      return Status::InvalidArgument(message);
    }
  }
  uri.host = authority;
  // A single host:port gets its port split off; a comma list stays whole for the connector.
  if (authority.find(',') == std::string::npos) {
    if (auto colon = authority.rfind(':'); colon != std::string::npos) {
      uri.host = authority.substr(0, colon);
      std::string port = authority.substr(colon + 1);
      auto [p, ec] = std::from_chars(port.data(), port.data() + port.size(), uri.port);
      if (ec != std::errc() || p != port.data() + port.size() || uri.port <= 0 ||
          uri.port > 65535) {
        return Status::InvalidArgument("'" + text + "' has a bad port '" + port + "'");
      }
    }
  }
  if (uri.host.empty()) return Status::InvalidArgument("'" + text + "' names no host");
  return uri;
}

}  // namespace shopstream
