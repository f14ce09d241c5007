#include "mysql/mysql_failover.h"

#include <optional>
#include <string>

#include "common/log.h"
#include "common/uri.h"

namespace shopstream::mysql {
namespace {

// Galera's own readiness: OFF while the node is outside the primary component or joining.
// A server without Galera is ready: MySQL has no such status, and MariaDB built with wsrep
// but running alone (wsrep_on OFF, as Debian's) reports wsrep_ready OFF.
Status CheckReady(Connection& conn, const std::string& where) {
  auto value = [&](const std::string& sql) -> Result<std::optional<std::string>> {
    auto statement = conn.Prepare(sql, "asking " + where + " if ready");
    if (!statement.ok()) return statement.status();
    auto rows = statement->Query({});
    if (!rows.ok()) return rows.status();
    if (rows->empty() || rows->front().size() < 2) return std::optional<std::string>();
    return std::optional<std::string>(rows->front()[1].value_or("NULL"));
  };
  auto on = value("SHOW VARIABLES LIKE 'wsrep_on'");
  if (!on.ok()) return on.status();
  if (!on->has_value() || **on != "ON") return Status::Ok();
  auto ready = value("SHOW STATUS LIKE 'wsrep_ready'");
  if (!ready.ok()) return ready.status();
  if (ready->has_value() && **ready != "ON") {
    return Status::Unavailable(where + " is not ready (wsrep_ready " + **ready + ")");
  }
  return Status::Ok();
}

}  // namespace

Result<std::unique_ptr<Connection>> OpenAnyNode(const MysqlTarget& target,
                                                std::atomic<size_t>& next, size_t* used) {
  if (used) *used = 0;
  if (target.hosts.size() <= 1) return Connection::Open(target.options);
  const size_t n = target.hosts.size();
  const size_t first = next.load() % n;
  Status last = Status::Unavailable("no MySQL host");
  for (size_t i = 0; i < n; ++i) {
    const size_t at = (first + i) % n;
    ConnectOptions options = target.options;
    options.host = target.hosts[at].host;
    options.port = target.hosts[at].port;
    const std::string where =
        ServerUri("mysql", options.user, options.host, options.port, options.database);
    auto conn = Connection::Open(options);
    Status s = conn.ok() ? CheckReady(**conn, where) : conn.status();
    if (s.ok()) {
      next.store(at + 1);
      if (used) *used = at;
      if (i > 0) LogInfo("using " + where + " (the nodes before it did not answer)");
      return conn;
    }
    // Access denied or an unknown database is the same on every node: not worth trying on.
    if (s.code() == StatusCode::kInvalidArgument) return s;
    last = s.retryable() ? s : Status::Unavailable(s.message());
  }
  next.store(first + 1);
  return last;
}

}  // namespace shopstream::mysql
