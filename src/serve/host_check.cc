#include "serve/host_check.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <cstring>
#include <string>

#include "serve/http_request.h"

namespace shopstream::serve {
namespace {

bool AllDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

// A decimal octet: "0" or 1-3 digits without a leading zero, at most 255.
bool ReadOctet(std::string_view s, int* value) {
  if (!AllDigits(s) || s.size() > 3 || (s.size() > 1 && s[0] == '0')) return false;
  int v = 0;
  for (char c : s) v = v * 10 + (c - '0');
  *value = v;
  return v <= 255;
}

bool IsLoopbackIpv4(std::string_view s) {
  int octets = 0, first = -1;
  while (true) {
    size_t dot = s.find('.');
    int v = 0;
    if (!ReadOctet(s.substr(0, dot), &v)) return false;
    if (first < 0) first = v;
    ++octets;
    if (dot == std::string_view::npos) break;
    s.remove_prefix(dot + 1);
  }
  return octets == 4 && first == 127;
}

bool IsIpv6Loopback(std::string_view s) {
  if (s.empty() || s.size() > 45) return false;
  std::string text(s);
  in6_addr addr{};
  return inet_pton(AF_INET6, text.c_str(), &addr) == 1 &&
         std::memcmp(&addr, &in6addr_loopback, sizeof addr) == 0;
}

bool IsPort(std::string_view s) {
  if (!AllDigits(s) || s.size() > 5) return false;
  int v = 0;
  for (char c : s) v = v * 10 + (c - '0');
  return v <= 65535;
}

}  // namespace

bool IsLoopbackSocketAddress(const sockaddr_storage& address) {
  if (address.ss_family == AF_INET) {
    const auto& v4 = reinterpret_cast<const sockaddr_in&>(address);
    return (ntohl(v4.sin_addr.s_addr) >> 24) == 127;
  }
  if (address.ss_family == AF_INET6) {
    const in6_addr& a = reinterpret_cast<const sockaddr_in6&>(address).sin6_addr;
    if (IN6_IS_ADDR_LOOPBACK(&a)) return true;
    return IN6_IS_ADDR_V4MAPPED(&a) && a.s6_addr[12] == 127;
  }
  return false;
}

bool IsLoopbackHostHeader(std::string_view header) {
  if (!header.empty() && header.front() == '[') {
    const size_t close = header.find(']');
    if (close == std::string_view::npos) return false;
    std::string_view rest = header.substr(close + 1);
    if (!rest.empty() && (rest[0] != ':' || !IsPort(rest.substr(1)))) return false;
    return IsIpv6Loopback(header.substr(1, close - 1));
  }
  std::string_view host = header;
  if (size_t colon = header.find(':'); colon != std::string_view::npos) {
    if (!IsPort(header.substr(colon + 1))) return false;
    host = header.substr(0, colon);
  }
  return EqualsIgnoreCase(host, "localhost") || IsLoopbackIpv4(host);
}

}  // namespace shopstream::serve
