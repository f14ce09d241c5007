#include "serve/gzip.h"

#include <zlib.h>

#include <optional>

#include "serve/http_request.h"

namespace shopstream::serve {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// True when the parameters after a coding (";q=0", ";q=0.000") give it weight 0.
bool ZeroWeight(std::string_view params) {
  size_t q = params.find("q=");
  if (q == std::string_view::npos) q = params.find("Q=");
  if (q == std::string_view::npos) return false;
  std::string_view value = Trim(params.substr(q + 2));
  if (value.empty() || value[0] != '0') return false;
  for (char c : value.substr(1)) {
    if (c != '.' && c != '0') return false;
  }
  return true;
}

}  // namespace

std::string Gzip(std::string_view data) {
  z_stream z{};
  // 15 window bits + 16: a gzip header and trailer instead of zlib's.
  if (deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    return {};
  }
  std::string out(deflateBound(&z, static_cast<uLong>(data.size())), '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  const int rc = deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  return rc == Z_STREAM_END ? out : std::string();
}

bool AcceptsGzip(std::string_view value) {
  // An explicit gzip (or x-gzip) decides; otherwise "*" does.
  std::optional<bool> gzip, any;
  while (!value.empty()) {
    const size_t comma = value.find(',');
    std::string_view item = value.substr(0, comma);
    value = comma == std::string_view::npos ? std::string_view() : value.substr(comma + 1);
    const size_t semi = item.find(';');
    std::string_view coding = Trim(item.substr(0, semi));
    const bool wanted =
        !ZeroWeight(semi == std::string_view::npos ? std::string_view() : item.substr(semi + 1));
    if (EqualsIgnoreCase(coding, "gzip") || EqualsIgnoreCase(coding, "x-gzip")) {
      gzip = gzip.value_or(false) || wanted;
    } else if (coding == "*") {
      any = any.value_or(false) || wanted;
    }
  }
  return gzip.value_or(any.value_or(false));
}

}  // namespace shopstream::serve
