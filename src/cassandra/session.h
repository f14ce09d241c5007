// A session over a Cassandra cluster: connects to the contact points, finds the other nodes
// in system.peers, keeps a few connections per node and spreads requests over them round
// robin. Idempotent requests that time out or lose their connection, or that the server
// answers with a retryable error (unavailable, overloaded, timeouts), are retried on another
// node or connection. Prepared statements are cached per node and prepared again when a node
// answers UNPREPARED (after a restart, say).
//
// Thread safety: all methods may be called from several threads.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cassandra/connection.h"
#include "cassandra/messages.h"
#include "common/status.h"

namespace shopstream::cassandra {

struct Endpoint {
  std::string host;
  int port = 9042;
};

// "h1:9042,h2,[::1]:9043" -> endpoints; a host without a port gets `default_port`.
Result<std::vector<Endpoint>> ParseContactPoints(std::string_view hosts, int default_port = 9042);

struct SessionOptions {
  std::vector<Endpoint> contact_points;
  int connections_per_node = 2;
  std::chrono::milliseconds connect_timeout{5000};
  std::chrono::milliseconds request_timeout{12000};
  std::optional<Credentials> credentials;
  bool discover_peers = true;
  int max_attempts = 3;  // tries per idempotent request, the first one included
  std::string keyspace;  // made current (USE) on every connection when set
};

// A statement prepared on the cluster; the session knows its id on each node.
struct Prepared {
  std::string cql;
  std::vector<ColumnSpec> bind_columns;
};

class Session {
 public:
  static Result<std::unique_ptr<Session>> Connect(SessionOptions options);
  ~Session();

  // Runs one statement without preparing it and gathers every page of its rows.
  Result<ResultMessage> Query(std::string_view cql, Consistency consistency,
                              bool idempotent = false, int32_t page_size = 5000);
  Result<Prepared> Prepare(std::string cql);
  Result<ResultMessage> Execute(const Prepared& prepared, std::vector<Value> values,
                                Consistency consistency, bool idempotent);
  // Executes `prepared` once for each entry of `rows`, keeping up to `max_in_flight`
  // requests on the wire (refilled in bursts of a quarter of that, each connection's written
  // with one send), and returns when all have finished. The first error that remains
  // after retries is returned (and no new requests are started after it). A server's INVALID
  // answer to a prepared statement is RefusedValue: the values are what it refused.
  Status ExecuteMany(const Prepared& prepared, const std::vector<std::vector<Value>>& rows,
                     Consistency consistency, bool idempotent, size_t max_in_flight);
  // After schema changes: waits until every reachable node reports, in its own system.local,
  // the same schema version (a node that has not heard of the change yet would agree with
  // its stale view of the others, so each node is asked for its own).
  Status WaitForSchemaAgreement(std::chrono::milliseconds timeout);

  // "host:port" of each known node.
  std::vector<std::string> Nodes() const;

 private:
  struct Node;
  struct Picked {
    size_t node;
    std::shared_ptr<Connection> connection;
  };
  using BuildRequest =
      std::function<Result<std::pair<Opcode, std::string>>(size_t index, Picked& picked)>;
  using OnResult = std::function<void(size_t index, ResultMessage result)>;

  explicit Session(SessionOptions options);
  Result<std::shared_ptr<Connection>> OpenConnection(const Endpoint& endpoint) const;
  Status DiscoverPeers(Connection& control, const Endpoint& via);
  Result<Picked> Pick(std::optional<size_t> avoid_node);
  // A connection to node `n` (opened if none is alive), for what must ask every node.
  Result<Picked> PickNode(size_t n);
  Result<std::string> PreparedIdOn(Picked& picked, const std::string& cql);
  void ForgetPrepared(size_t node, const std::string& cql);
  Status RunMany(size_t count, const BuildRequest& build, const OnResult& on_result,
                 bool idempotent, size_t max_in_flight, const std::string* prepared_cql);

  SessionOptions options_;
  mutable std::mutex mutex_;
  std::vector<std::unique_ptr<Node>> nodes_;
  size_t round_robin_ = 0;
};

}  // namespace shopstream::cassandra
