// gzip for the dashboard's answers: the page's scripts are compressed once when the server
// starts, API answers when the client accepts it and they are worth it.
#pragma once

#include <string>
#include <string_view>

namespace shopstream::serve {

// The gzip member (RFC 1952) of `data` at zlib's default level.
std::string Gzip(std::string_view data);

// Whether an Accept-Encoding value accepts gzip: "gzip" or "x-gzip" listed without q=0, or "*"
// (RFC 9110 12.5.3).
bool AcceptsGzip(std::string_view accept_encoding);

}  // namespace shopstream::serve
