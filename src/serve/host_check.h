// Which Host headers name this machine, for a dashboard bound to a loopback address: a web
// page elsewhere must not read the API through DNS rebinding (its requests carry the page's own
// host name, which resolves to 127.0.0.1 only for the attack). Addresses are parsed, not
// matched by prefix, so "127.evil.example" is another machine's name.
#pragma once

#include <sys/socket.h>

#include <string_view>

namespace shopstream::serve {

// True for a bound socket address that only this machine can reach: 127.0.0.0/8, ::1, or
// 127.0.0.0/8 mapped into IPv6. Decided on the address, not on the text it came from, so that
// a name ("ip6-localhost") or another spelling ("127.1") of a loopback address counts too.
bool IsLoopbackSocketAddress(const sockaddr_storage& address);

// True for a Host header that is such an address with an optional ":PORT" ("127.0.0.1:8088",
// "localhost", "[::1]:8088"). "localhost" is compared ignoring ASCII case; octets have no
// leading zeros and are at most 255.
bool IsLoopbackHostHeader(std::string_view header);

}  // namespace shopstream::serve
