// Which Host headers name this machine, for a dashboard bound to a loopback address: a web
// page elsewhere must not read the API through DNS rebinding (its requests carry the page's own
// host name, which resolves to 127.0.0.1 only for the attack). Addresses are parsed, not
// matched by prefix, so "127.evil.example" is another machine's name.
#pragma once

#include <string_view>

namespace shopstream::serve {

// True for a bind address of this machine only: "localhost", 127.0.0.0/8 as four decimal
// octets, or "::1" (brackets allowed).
bool IsLoopbackAddress(std::string_view host);

// True for a Host header that is such an address with an optional ":PORT" ("127.0.0.1:8088",
// "localhost", "[::1]:8088"). "localhost" is compared ignoring ASCII case; octets have no
// leading zeros and are at most 255.
bool IsLoopbackHostHeader(std::string_view header);

}  // namespace shopstream::serve
