#include "common/uri.h"

#include <cctype>
#include <charconv>

#include "common/text.h"

namespace shopstream {

std::string Uri::Param(const std::string& key, const std::string& fallback) const {
  auto it = query.find(key);
  return it == query.end() ? fallback : it->second;
}

Status Uri::CheckParams(std::initializer_list<std::string_view> known) const {
  for (const auto& [key, value] : query) {
    bool found = false;
    std::string list;
    for (std::string_view k : known) {
      found = found || k == key;
      list.append(list.empty() ? "" : ", ").append(k);
    }
    if (!found) {
      return Status::InvalidArgument("'" + text + "' has an unknown option '" + key + "' (" +
                                     (list.empty() ? "this URI takes none" : "known: " + list) +
                                     ")");
    }
  }
  return Status::Ok();
}

bool IsSecretKey(std::string_view key) {
  std::string lower;
  for (char c : key) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (std::string_view word : {"password", "secret", "key"}) {
    if (lower.find(word) != std::string::npos) return true;
  }
  return false;
}

std::string RedactUri(std::string_view text) {
  const size_t q = text.find('?');
  if (q == std::string_view::npos) return std::string(text);
  std::string out(text.substr(0, q + 1));
  std::string_view query = text.substr(q + 1);
  for (bool first = true;; first = false) {
    const size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    if (!first) out += '&';
    const size_t eq = pair.find('=');
    if (eq != std::string_view::npos && IsSecretKey(pair.substr(0, eq))) {
      out.append(pair.substr(0, eq + 1)).append("***");
    } else {
      out.append(pair);
    }
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return out;
}

Result<Uri> ParseUri(const std::string& given) {
  Uri uri;
  // Messages below name the URI by its redacted form only.
  const std::string text = RedactUri(given);
  uri.text = text;
  const auto sep = given.find("://");
  if (sep == std::string::npos || sep == 0) {
    return Status::InvalidArgument(
        "'" + text + "' is not a URI (expected SCHEME://..., e.g. sqlite:///tmp/log.db)");
  }
  // A scheme is letters, digits, + - and .; so the query (and any secret in it) comes later.
  for (char c : given.substr(0, sep)) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '+' && c != '-' && c != '.') {
      return Status::InvalidArgument("'" + text +
                                     "' does not start with a scheme such as kafka://");
    }
    uri.scheme += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  if (uri.scheme == "postgresql") uri.scheme = "postgres";
  std::string rest = given.substr(sep + 3);

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

Status CheckScheme(const std::string& text, std::initializer_list<std::string_view> known) {
  const size_t sep = text.find("://");
  if (sep == std::string::npos || sep == 0) return Status::Ok();
  std::string scheme;
  for (char c : text.substr(0, sep)) {
    scheme += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  if (scheme == "postgresql") scheme = "postgres";
  std::string list;
  for (std::string_view k : known) {
    if (k == scheme) return Status::Ok();
    list.append(list.empty() ? "" : ", ").append(k);
  }
  return Status::InvalidArgument("'" + EscapeControls(RedactUri(text)) + "': unknown scheme '" +
                                 EscapeControls(scheme) + "'; known: " + list);
}

std::string ServerUri(std::string_view scheme, const std::string& user, const std::string& host,
                      int port, std::string_view path) {
  std::string where(scheme);
  where.append("://");
  if (!user.empty()) where.append(user).append("@");
  where.append(host.empty() ? std::string_view("localhost") : std::string_view(host));
  if (port > 0) where.append(":").append(std::to_string(port));
  return where.append("/").append(path);
}

}  // namespace shopstream
