// Connecting to one node of several (a Galera cluster): the nodes are tried in turn, starting
// after the one the previous connection used, so that a store whose connection broke moves on
// to another node, and several connections (the dashboard's) spread over the live nodes. A
// node that answers but is not ready (Galera's wsrep_ready OFF: it left the primary component
// or is still joining) is passed over like one that is down.
#pragma once

#include <atomic>
#include <cstddef>
#include <memory>

#include "common/status.h"
#include "mysql/mysql_client.h"
#include "mysql/mysql_uri.h"

namespace shopstream::mysql {

// `next` is where the next attempt starts (shared by a store's connections). With one host
// this is Connection::Open. Unavailable (the last node's error) when no node would do.
Result<std::unique_ptr<Connection>> OpenAnyNode(const MysqlTarget& target,
                                                std::atomic<size_t>& next);

}  // namespace shopstream::mysql
