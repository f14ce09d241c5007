#include "cassandra/cassandra_options.h"

#include <cctype>
#include <charconv>

#include "cassandra/connection.h"

namespace shopstream::cassandra {

namespace {

Result<long> NumberParam(const Uri& uri, const std::string& key, long fallback, long min,
                         long max) {
  std::string text = uri.Param(key);
  if (text.empty()) return fallback;
  long value = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || p != text.data() + text.size() || value < min || value > max) {
    return Status::InvalidArgument("'" + uri.text + "': " + key + "=" + text +
                                   " is not a number from " + std::to_string(min) + " to " +
                                   std::to_string(max));
  }
  return value;
}

}  // namespace

bool IsPlainIdentifier(const std::string& name) {
  if (name.empty() || name.size() > 48) return false;
  if (!std::isalpha(static_cast<unsigned char>(name[0])) && name[0] != '_') return false;
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  }
  return true;
}

Result<CassandraOptions> ParseCassandraUri(const Uri& uri, bool allow_no_keyspace) {
  if (uri.scheme != "cassandra") {
    return Status::InvalidArgument("'" + uri.text + "' is not a cassandra:// URI");
  }
  for (const auto& [key, value] : uri.query) {
    if (key != "consistency" && key != "in_flight" && key != "connections" && key != "timeout_ms" &&
        key != "replication_factor") {
      return Status::InvalidArgument("'" + uri.text + "': unknown parameter '" + key +
                                     "' (known: consistency, in_flight, connections, timeout_ms, "
                                     "replication_factor)");
    }
  }
  CassandraOptions o;
  std::string hosts = uri.port ? uri.host + ":" + std::to_string(uri.port) : uri.host;
  auto contact_points = cassandra::ParseContactPoints(hosts);
  if (!contact_points.ok()) {
    return Status::InvalidArgument("'" + uri.text + "': " + contact_points.status().message());
  }
  o.session.contact_points = *contact_points;
  o.session.credentials = cassandra::Credentials::FromEnvironment();

  std::string path = uri.path;
  if (path.empty() && allow_no_keyspace) {
    o.keyspace.clear();
    o.table.clear();
  } else if (!path.empty()) {
    auto dot = path.find('.');
    o.keyspace = path.substr(0, dot);
    if (dot != std::string::npos) o.table = path.substr(dot + 1);
  }
  for (const std::string* name : {&o.keyspace, &o.table}) {
    if (!name->empty() && !IsPlainIdentifier(*name)) {
      return Status::InvalidArgument(
          "'" + uri.text + "': '" + *name +
          "' is not a plain keyspace or table name (letters, digits, _)");
    }
  }
  if (auto c = uri.Param("consistency"); !c.empty()) {
    auto level = cassandra::ParseConsistency(c);
    if (!level.ok())
      return Status::InvalidArgument("'" + uri.text + "': " + level.status().message());
    o.consistency = *level;
  }
  auto in_flight = NumberParam(uri, "in_flight", 256, 1, 16384);
  if (!in_flight.ok()) return in_flight.status();
  o.in_flight = static_cast<size_t>(*in_flight);
  auto connections = NumberParam(uri, "connections", 2, 1, 64);
  if (!connections.ok()) return connections.status();
  o.session.connections_per_node = static_cast<int>(*connections);
  auto rf = NumberParam(uri, "replication_factor", 0, 1, 100);
  if (!rf.ok()) return rf.status();
  o.replication_factor = static_cast<int>(*rf);
  auto timeout = NumberParam(uri, "timeout_ms", 12000, 1, 3600000);
  if (!timeout.ok()) return timeout.status();
  o.session.request_timeout = std::chrono::milliseconds(*timeout);
  return o;
}

}  // namespace shopstream::cassandra
