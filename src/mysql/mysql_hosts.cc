#include "mysql/mysql_hosts.h"

#include <charconv>

namespace shopstream::mysql {

Result<std::vector<HostPort>> ParseMysqlHosts(const Uri& uri) {
  if (uri.host.find(',') == std::string::npos) return std::vector<HostPort>{{uri.host, uri.port}};
  std::vector<HostPort> hosts;
  size_t start = 0;
  for (;;) {
    const size_t comma = uri.host.find(',', start);
    const std::string entry = uri.host.substr(start, comma - start);
    auto bad = [&](const std::string& why) {
      return Status::InvalidArgument("'" + uri.text + "': bad host list (" + why +
                                     "); give HOST:PORT,HOST:PORT,...");
    };
    HostPort hp;
    hp.host = entry;
    if (auto colon = entry.rfind(':'); colon != std::string::npos) {
      hp.host = entry.substr(0, colon);
      const std::string port = entry.substr(colon + 1);
      auto [p, ec] = std::from_chars(port.data(), port.data() + port.size(), hp.port);
      if (ec != std::errc() || p != port.data() + port.size() || hp.port <= 0 || hp.port > 65535) {
        return bad("port '" + port + "' of '" + entry + "'");
      }
    }
    if (hp.host.empty())
      return bad(entry.empty() ? "an empty entry" : "'" + entry + "' names no host");
    for (const HostPort& seen : hosts) {
      if (seen.host == hp.host && seen.port == hp.port) return bad("'" + entry + "' given twice");
    }
    hosts.push_back(std::move(hp));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return hosts;
}

}  // namespace shopstream::mysql
