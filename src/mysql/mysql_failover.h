// Connecting to one node of several (a Galera cluster): the nodes are tried in turn from
// `next`, which moves past the node each connection uses: readers' connections (the
// dashboard's) spread over the live nodes, and a writer that lost its node tries the others
// first. Writers start at the first node and go back to it at a write conflict (see
// MysqlDatabase), so that the processors of a group write through one node and Galera has no
// certification conflicts between them to resolve. A
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

// `next` is where the next attempt starts (shared by a store's connections); `used`, when
// given, gets the index of the node connected to. With one host this is Connection::Open.
// Unavailable (the last node's error) when no node would do.
Result<std::unique_ptr<Connection>> OpenAnyNode(const MysqlTarget& target,
                                                std::atomic<size_t>& next, size_t* used = nullptr);

}  // namespace shopstream::mysql
