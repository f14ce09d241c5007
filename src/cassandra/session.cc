#include "cassandra/session.h"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>
#include <condition_variable>
#include <deque>
#include <map>
#include <thread>

#include "common/log.h"

namespace shopstream::cassandra {

namespace {

// A node that could not be reached is tried again after this pause, not on every request.
constexpr std::chrono::milliseconds kReconnectPause{1000};

std::string AddressOf(const Endpoint& e) {
  bool v6 = e.host.find(':') != std::string::npos;
  return (v6 ? "[" + e.host + "]" : e.host) + ":" + std::to_string(e.port);
}

// An inet column value (4 or 16 address bytes) as text.
std::optional<std::string> InetText(const std::optional<std::string>& bytes) {
  if (!bytes || (bytes->size() != 4 && bytes->size() != 16)) return std::nullopt;
  char text[INET6_ADDRSTRLEN];
  int family = bytes->size() == 4 ? AF_INET : AF_INET6;
  if (!inet_ntop(family, bytes->data(), text, sizeof text)) return std::nullopt;
  return std::string(text);
}

bool IsWildcard(const std::string& address) { return address == "0.0.0.0" || address == "::"; }

}  // namespace

struct Session::Node {
  Endpoint endpoint;
  std::string address;
  std::vector<std::shared_ptr<Connection>> connections;  // guarded by Session::mutex_
  std::map<std::string, std::string> prepared_ids;       // cql -> id, guarded by mutex_
  std::chrono::steady_clock::time_point retry_after{};
  std::string last_error;
};

Result<std::vector<Endpoint>> ParseContactPoints(std::string_view hosts, int default_port) {
  std::vector<Endpoint> out;
  size_t start = 0;
  while (start <= hosts.size()) {
    size_t comma = hosts.find(',', start);
    std::string_view item = hosts.substr(
        start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
    start = comma == std::string_view::npos ? hosts.size() + 1 : comma + 1;
    if (item.empty()) continue;
    Endpoint e;
    e.port = default_port;
    std::string_view port_text;
    if (item.front() == '[') {  // [v6]:port
      size_t close = item.find(']');
      if (close == std::string_view::npos) {
        return Status::InvalidArgument("contact point '" + std::string(item) + "' lacks ']'");
      }
      e.host = std::string(item.substr(1, close - 1));
      if (close + 1 < item.size() && item[close + 1] == ':') port_text = item.substr(close + 2);
    } else if (size_t colon = item.rfind(':'); colon != std::string_view::npos) {
      e.host = std::string(item.substr(0, colon));
      port_text = item.substr(colon + 1);
    } else {
      e.host = std::string(item);
    }
    if (!port_text.empty()) {
      auto [p, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), e.port);
      if (ec != std::errc() || p != port_text.data() + port_text.size() || e.port <= 0 ||
          e.port > 65535) {
        return Status::InvalidArgument("contact point '" + std::string(item) + "' has a bad port");
      }
    }
    if (e.host.empty())
      return Status::InvalidArgument("contact point '" + std::string(item) + "' has no host");
    out.push_back(std::move(e));
  }
  if (out.empty()) return Status::InvalidArgument("no Cassandra contact point given");
  return out;
}

Session::Session(SessionOptions options) : options_(std::move(options)) {}

Session::~Session() {
  std::lock_guard lock(mutex_);
  for (auto& node : nodes_) {
    for (auto& c : node->connections) {
      if (c) c->Close();
    }
  }
}

Result<std::shared_ptr<Connection>> Session::OpenConnection(const Endpoint& endpoint) const {
  ConnectOptions co;
  co.host = endpoint.host;
  co.port = endpoint.port;
  co.connect_timeout = options_.connect_timeout;
  co.request_timeout = options_.request_timeout;
  co.credentials = options_.credentials;
  auto c = Connection::Open(co);
  if (!c.ok()) return c.status();
  std::shared_ptr<Connection> connection = std::move(*c);
  if (!options_.keyspace.empty()) {
    // The keyspace is an identifier, which CQL cannot bind; the caller validated it.
    auto reply = connection->Call(
        Opcode::kQuery, EncodeQuery("USE \"" + options_.keyspace + "\"", QueryParameters{}));
    if (!reply.ok()) return reply.status();
    if (reply->header.opcode == Opcode::kError) {
      auto error = DecodeError(reply->body);
      if (!error.ok()) return error.status();
      return error->ToStatus("USE " + options_.keyspace + " on " + connection->address());
    }
  }
  return connection;
}

Result<std::unique_ptr<Session>> Session::Connect(SessionOptions options) {
  if (options.contact_points.empty())
    return Status::InvalidArgument("no Cassandra contact point given");
  if (options.connections_per_node < 1) options.connections_per_node = 1;
  std::unique_ptr<Session> session(new Session(std::move(options)));
  const SessionOptions& opts = session->options_;
  for (const auto& e : opts.contact_points) {
    auto node = std::make_unique<Node>();
    node->endpoint = e;
    node->address = AddressOf(e);
    session->nodes_.push_back(std::move(node));
  }
  Status last = Status::Unavailable("no contact point tried");
  std::shared_ptr<Connection> control;
  for (auto& node : session->nodes_) {
    auto c = session->OpenConnection(node->endpoint);
    if (c.ok()) {
      control = *c;
      node->connections.push_back(control);
      if (opts.discover_peers) {
        Status s = session->DiscoverPeers(*control, node->endpoint);
        if (!s.ok()) LogWarn("cannot read system.peers from " + node->address + ": " + s.message());
      }
      break;
    }
    last = c.status();
    if (!last.retryable()) return last;  // bad credentials or keyspace: no other node helps
    node->last_error = last.message();
    node->retry_after = std::chrono::steady_clock::now() + kReconnectPause;
  }
  if (!control) return last;
  for (auto& node : session->nodes_) {
    while (static_cast<int>(node->connections.size()) < opts.connections_per_node) {
      auto c = session->OpenConnection(node->endpoint);
      if (!c.ok()) {
        LogWarn("cannot connect to Cassandra node " + node->address + ": " + c.status().message());
        node->last_error = c.status().message();
        node->retry_after = std::chrono::steady_clock::now() + kReconnectPause;
        break;
      }
      node->connections.push_back(*c);
    }
  }
  return session;
}

Status Session::DiscoverPeers(Connection& control, const Endpoint& via) {
  auto reply = control.Call(
      Opcode::kQuery, EncodeQuery("SELECT peer, rpc_address FROM system.peers", QueryParameters{}));
  if (!reply.ok()) return reply.status();
  if (reply->header.opcode == Opcode::kError) {
    auto error = DecodeError(reply->body);
    return error.ok() ? error->ToStatus("system.peers") : error.status();
  }
  auto result = DecodeResult(reply->body);
  if (!result.ok()) return result.status();
  for (const Row& row : result->rows) {
    if (row.size() < 2) continue;
    auto address = InetText(row[1]);
    if (!address || IsWildcard(*address)) address = InetText(row[0]);
    if (!address) continue;
    Endpoint e{*address, via.port};  // peers serve CQL on the port the contact point uses
    std::string text = AddressOf(e);
    bool known = false;
    for (const auto& node : nodes_) known = known || node->address == text;
    if (known) continue;
    auto node = std::make_unique<Node>();
    node->endpoint = e;
    node->address = text;
    nodes_.push_back(std::move(node));
    LogInfo("found Cassandra node " + text + " in system.peers");
  }
  return Status::Ok();
}

std::vector<std::string> Session::Nodes() const {
  std::lock_guard lock(mutex_);
  std::vector<std::string> out;
  for (const auto& node : nodes_) out.push_back(node->address);
  return out;
}

Result<Session::Picked> Session::Pick(std::optional<size_t> avoid_node) {
  std::lock_guard lock(mutex_);
  // Two passes: the first skips the node to avoid (a retry prefers another node), the
  // second takes any node, so a one-node cluster still retries on another connection.
  for (int pass = 0; pass < 2; ++pass) {
    size_t slots = nodes_.size() * static_cast<size_t>(options_.connections_per_node);
    for (size_t tried = 0; tried < slots; ++tried) {
      size_t slot = round_robin_++ % slots;
      size_t n = slot / static_cast<size_t>(options_.connections_per_node);
      size_t k = slot % static_cast<size_t>(options_.connections_per_node);
      if (pass == 0 && avoid_node && *avoid_node == n && nodes_.size() > 1) continue;
      Node& node = *nodes_[n];
      if (k < node.connections.size() && node.connections[k]->alive()) {
        return Picked{n, node.connections[k]};
      }
      if (std::chrono::steady_clock::now() < node.retry_after) continue;
      // Reconnect in place; a node that restarted has forgotten its prepared statements.
      auto c = OpenConnection(node.endpoint);
      if (!c.ok()) {
        node.last_error = c.status().message();
        node.retry_after = std::chrono::steady_clock::now() + kReconnectPause;
        continue;
      }
      node.prepared_ids.clear();
      if (k < node.connections.size()) {
        node.connections[k] = *c;
      } else {
        node.connections.push_back(*c);
        k = node.connections.size() - 1;
      }
      return Picked{n, node.connections[k]};
    }
  }
  std::string why;
  for (const auto& node : nodes_) {
    why += (why.empty() ? "" : "; ") + node->address + ": " +
           (node->last_error.empty() ? "connections closed" : node->last_error);
  }
  return Status::Unavailable("no Cassandra node is reachable (" + why + ")");
}

Result<std::string> Session::PreparedIdOn(Picked& picked, const std::string& cql) {
  {
    std::lock_guard lock(mutex_);
    auto& ids = nodes_[picked.node]->prepared_ids;
    if (auto it = ids.find(cql); it != ids.end()) return it->second;
  }
  auto reply = picked.connection->Call(Opcode::kPrepare, EncodePrepare(cql));
  if (!reply.ok()) return reply.status();
  if (reply->header.opcode == Opcode::kError) {
    auto error = DecodeError(reply->body);
    return error.ok() ? error->ToStatus("preparing on " + picked.connection->address())
                      : error.status();
  }
  auto result = DecodeResult(reply->body);
  if (!result.ok()) return result.status();
  if (result->kind != ResultKind::kPrepared) {
    return Status::Corruption("PREPARE on " + picked.connection->address() +
                              " returned no prepared id");
  }
  std::lock_guard lock(mutex_);
  nodes_[picked.node]->prepared_ids[cql] = result->prepared.id;
  return result->prepared.id;
}

void Session::ForgetPrepared(size_t node, const std::string& cql) {
  std::lock_guard lock(mutex_);
  nodes_[node]->prepared_ids.erase(cql);
}

Result<Prepared> Session::Prepare(std::string cql) {
  Prepared prepared{cql, {}};
  std::optional<Status> failure;
  bool any = false;
  size_t node_count = Nodes().size();
  for (size_t n = 0; n < node_count; ++n) {
    std::shared_ptr<Connection> c;
    {
      std::lock_guard lock(mutex_);
      for (auto& candidate : nodes_[n]->connections) {
        if (candidate && candidate->alive()) c = candidate;
      }
    }
    if (!c) continue;  // prepared lazily when the node comes back
    auto reply = c->Call(Opcode::kPrepare, EncodePrepare(cql));
    Status s;
    if (!reply.ok()) {
      s = reply.status();
    } else if (reply->header.opcode == Opcode::kError) {
      auto error = DecodeError(reply->body);
      s = error.ok() ? error->ToStatus("preparing '" + cql + "' on " + c->address())
                     : error.status();
    } else if (auto result = DecodeResult(reply->body); !result.ok()) {
      s = result.status();
    } else if (result->kind == ResultKind::kPrepared) {
      std::lock_guard lock(mutex_);
      nodes_[n]->prepared_ids[cql] = result->prepared.id;
      if (!any) prepared.bind_columns = result->prepared.bind_columns;
      any = true;
      continue;
    } else {
      s = Status::Corruption("PREPARE on " + c->address() + " returned no prepared id");
    }
    if (!s.retryable()) return s;  // a syntax error is the same on every node
    failure = s;
  }
  if (!any) return failure.value_or(Status::Unavailable("no Cassandra node is connected"));
  return prepared;
}

Status Session::RunMany(size_t count, const BuildRequest& build, const OnResult& on_result,
                        bool idempotent, size_t max_in_flight, const std::string* prepared_cql) {
  struct Completion {
    size_t index;
    int attempt;
    std::optional<size_t> node;
    Result<Frame> reply;
  };
  std::mutex m;
  std::condition_variable cv;
  std::deque<Completion> completions;
  size_t in_flight = 0;
  size_t next = 0;
  Status first_error;
  size_t retries = 0;
  std::vector<std::shared_ptr<Connection>> to_flush;  // connections with queued requests
  if (max_in_flight == 0) max_in_flight = 1;

  auto submit = [&](size_t index, int attempt, std::optional<size_t> avoid) {
    ++in_flight;
    auto picked = Pick(avoid);
    if (!picked.ok()) {
      std::lock_guard lock(m);
      completions.push_back({index, attempt, std::nullopt, picked.status()});
      return;
    }
    auto request = build(index, *picked);
    if (!request.ok()) {
      std::lock_guard lock(m);
      completions.push_back({index, attempt, picked->node, request.status()});
      return;
    }
    size_t node = picked->node;
    picked->connection->Queue(request->first, request->second,
                              [&, index, attempt, node](Result<Frame> reply) {
                                std::lock_guard lock(m);
                                completions.push_back({index, attempt, node, std::move(reply)});
                                cv.notify_one();
                              });
    if (std::find(to_flush.begin(), to_flush.end(), picked->connection) == to_flush.end())
      to_flush.push_back(picked->connection);
  };
  // New requests go out in bursts, once a quarter of the window is free, each connection's
  // in one write: the server then reads and answers many per wake-up, which costs it less
  // CPU per request than one frame per TCP segment.
  const size_t burst = std::max<size_t>(1, max_in_flight / 4);

  while (true) {
    if (first_error.ok() && next < count &&
        (in_flight == 0 || in_flight + burst <= max_in_flight)) {
      while (next < count && in_flight < max_in_flight) submit(next++, 1, std::nullopt);
    }
    for (const auto& connection : to_flush) connection->Flush();
    to_flush.clear();
    if (in_flight == 0) break;
    std::deque<Completion> finished;
    {
      std::unique_lock lock(m);
      cv.wait(lock, [&] { return !completions.empty(); });
      finished.swap(completions);
    }
    for (Completion& done : finished) {
      --in_flight;
      Status s;
      bool unprepared = false;
      std::string where = done.node ? nodes_[*done.node]->address : std::string("Cassandra");
      if (!done.reply.ok()) {
        s = done.reply.status();
      } else if (done.reply->header.opcode == Opcode::kResult) {
        auto result = DecodeResult(done.reply->body);
        if (result.ok()) {
          on_result(done.index, std::move(*result));
          continue;
        }
        s = result.status();
      } else if (done.reply->header.opcode == Opcode::kError) {
        auto error = DecodeError(done.reply->body);
        if (!error.ok()) {
          s = error.status();
        } else if (error->code == ErrorCode::kUnprepared && prepared_cql && done.node) {
          ForgetPrepared(*done.node, *prepared_cql);
          unprepared = true;
          s = error->ToStatus(where);
        } else if (error->code == ErrorCode::kInvalid && prepared_cql) {
          // The statement was prepared fine, so what the server finds invalid is a bound value.
          s = Status::RefusedValue(error->ToStatus(where).message());
        } else {
          s = error->ToStatus(where);
        }
      } else {
        s = Status::Corruption(where + " answered with " + OpcodeName(done.reply->header.opcode));
      }
      // An UNPREPARED statement was not executed, so it is safe to send again whatever it is.
      // A request that found no node to go to is not retried here: Pick has just tried every
      // node, so the caller's backoff is the cure (an outage must not spin every request).
      bool retry = done.attempt < options_.max_attempts &&
                   (unprepared || (idempotent && s.retryable() && done.node));
      if (retry && first_error.ok()) {
        // One line per call: hundreds of requests in flight fail together when a node goes.
        if (retries++ == 0) LogWarn("retrying after " + s.message());
        submit(done.index, done.attempt + 1, unprepared ? std::nullopt : done.node);
      } else if (first_error.ok()) {
        first_error = s;
      }
    }
  }
  return first_error;
}

Result<ResultMessage> Session::Query(std::string_view cql, Consistency consistency, bool idempotent,
                                     int32_t page_size) {
  ResultMessage all;
  std::optional<std::string> paging_state;
  bool first = true;
  do {
    QueryParameters params;
    params.consistency = consistency;
    params.page_size = page_size;
    params.paging_state = paging_state;
    std::optional<ResultMessage> page;
    Status s = RunMany(
        1,
        [&](size_t, Picked&) -> Result<std::pair<Opcode, std::string>> {
          return std::make_pair(Opcode::kQuery, EncodeQuery(cql, params));
        },
        [&](size_t, ResultMessage r) { page = std::move(r); }, idempotent, 1, nullptr);
    if (!s.ok()) return s;
    paging_state = page->kind == ResultKind::kRows ? page->metadata.paging_state : std::nullopt;
    if (first) {
      all = std::move(*page);
      first = false;
    } else {
      for (auto& row : page->rows) all.rows.push_back(std::move(row));
    }
    // Paging re-reads the query: only a read is safe to continue on another connection.
    idempotent = true;
  } while (paging_state);
  if (all.kind == ResultKind::kRows) all.metadata.paging_state.reset();
  return all;
}

Result<ResultMessage> Session::Execute(const Prepared& prepared, std::vector<Value> values,
                                       Consistency consistency, bool idempotent) {
  std::optional<ResultMessage> out;
  QueryParameters params;
  params.consistency = consistency;
  params.values = std::move(values);
  Status s = RunMany(
      1,
      [&](size_t, Picked& picked) -> Result<std::pair<Opcode, std::string>> {
        auto id = PreparedIdOn(picked, prepared.cql);
        if (!id.ok()) return id.status();
        return std::make_pair(Opcode::kExecute, EncodeExecute(*id, params));
      },
      [&](size_t, ResultMessage r) { out = std::move(r); }, idempotent, 1, &prepared.cql);
  if (!s.ok()) return s;
  return std::move(*out);
}

Status Session::ExecuteMany(const Prepared& prepared, const std::vector<std::vector<Value>>& rows,
                            Consistency consistency, bool idempotent, size_t max_in_flight) {
  QueryParameters params;
  params.consistency = consistency;
  return RunMany(
      rows.size(),
      [&](size_t index, Picked& picked) -> Result<std::pair<Opcode, std::string>> {
        auto id = PreparedIdOn(picked, prepared.cql);
        if (!id.ok()) return id.status();
        params.values = rows[index];
        return std::make_pair(Opcode::kExecute, EncodeExecute(*id, params));
      },
      [](size_t, ResultMessage) {}, idempotent, max_in_flight, &prepared.cql);
}

Result<Session::Picked> Session::PickNode(size_t n) {
  std::lock_guard lock(mutex_);
  Node& node = *nodes_[n];
  for (size_t k = 0; k < node.connections.size(); ++k) {
    if (node.connections[k]->alive()) return Picked{n, node.connections[k]};
  }
  if (std::chrono::steady_clock::now() < node.retry_after) {
    return Status::Unavailable(node.address + ": " + node.last_error);
  }
  auto c = OpenConnection(node.endpoint);
  if (!c.ok()) {
    node.last_error = c.status().message();
    node.retry_after = std::chrono::steady_clock::now() + kReconnectPause;
    return c.status();
  }
  node.prepared_ids.clear();
  if (node.connections.empty())
    node.connections.push_back(*c);
  else
    node.connections[0] = *c;
  return Picked{n, *c};
}

Status Session::WaitForSchemaAgreement(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  std::string last;
  while (true) {
    size_t count;
    {
      std::lock_guard lock(mutex_);
      count = nodes_.size();
    }
    // Each reachable node's own version; a node that is down is not waited for.
    std::vector<std::string> versions;
    for (size_t n = 0; n < count; ++n) {
      auto picked = PickNode(n);
      if (!picked.ok()) continue;
      auto reply = picked->connection->Call(
          Opcode::kQuery,
          EncodeQuery("SELECT schema_version FROM system.local", QueryParameters{}));
      if (!reply.ok() || reply->header.opcode != Opcode::kResult) continue;
      auto result = DecodeResult(reply->body);
      if (!result.ok()) continue;
      for (const auto& row : result->rows) {
        if (!row.empty() && row[0]) versions.push_back(*row[0]);
      }
    }
    if (!versions.empty()) {
      bool agree = true;
      for (const auto& v : versions) agree = agree && v == versions.front();
      if (agree) return Status::Ok();
      last = std::to_string(versions.size()) + " nodes disagree";
    } else {
      last = "no node answered";
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      return Status::Unavailable("Cassandra nodes did not agree on the schema within " +
                                 std::to_string(timeout.count()) + " ms (" + last + ")");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
}

}  // namespace shopstream::cassandra
