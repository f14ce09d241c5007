// Endpoint URIs (common/uri.h) and a mysql:// URI's host list (mysql/mysql_hosts.h) on
// any text, as an operator's typo or a pasted line could hold them: each returns a value or an
// error, never crashes. A URI that parses has a lower-case scheme and no password, and a host
// list that parses names every host once, each non-empty with a port in range.
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <set>
#include <string>

#include "common/uri.h"
#include "mysql/mysql_hosts.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  auto uri = shopstream::ParseUri(text);
  if (!uri.ok()) return 0;
  for (char c : uri->scheme) {
    if (std::isupper(static_cast<unsigned char>(c))) __builtin_trap();
  }
  auto hosts = shopstream::mysql::ParseMysqlHosts(*uri);
  if (!hosts.ok() || hosts->size() < 2) return 0;
  std::set<std::string> seen;
  for (const auto& hp : *hosts) {
    if (hp.host.empty() || hp.port < 0 || hp.port > 65535) __builtin_trap();
    if (!seen.insert(hp.host + ":" + std::to_string(hp.port)).second) __builtin_trap();
  }
  return 0;
}
