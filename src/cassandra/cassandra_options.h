// What a cassandra:// URI says, checked: contact points, keyspace and table names (plain
// identifiers, since CQL cannot bind them), consistency and tuning parameters.
#pragma once

#include <string>

#include "cassandra/session.h"
#include "cassandra/types.h"
#include "common/status.h"
#include "common/uri.h"

namespace shopstream::cassandra {

struct CassandraOptions {
  cassandra::SessionOptions session;
  std::string keyspace = "ecommerce_ks";
  std::string table = "operations";
  cassandra::Consistency consistency = cassandra::Consistency::kLocalQuorum;
  size_t in_flight = 256;
  // Of a keyspace the store creates; 0: as many nodes as the session found, at most 3.
  int replication_factor = 0;
};

// `default_table` is used when the path names only a keyspace or nothing at all; with
// `allow_no_keyspace` an empty path leaves keyspace empty (for ad-hoc statements).
Result<CassandraOptions> ParseCassandraUri(const Uri& uri, bool allow_no_keyspace = false);

// True for a CQL identifier that needs no quoting: a letter or '_', then letters, digits or
// '_', at most 48 characters (Cassandra's limit for keyspace and table names).
bool IsPlainIdentifier(const std::string& name);

}  // namespace shopstream::cassandra
