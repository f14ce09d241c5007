// The raw store on Cassandra: every event as it arrived, one row per id, in the seed's table
//   cassandra://HOST:PORT[,HOST:PORT...]/KEYSPACE.TABLE[?consistency=LOCAL_QUORUM]
// (default ecommerce_ks.operations). Writes are idempotent upserts by id through one prepared
// INSERT, many in flight at once. Credentials, when the cluster wants them, come from
// SHOPSTREAM_CASSANDRA_USER and SHOPSTREAM_CASSANDRA_PASSWORD.
//
// URI parameters: consistency (LOCAL_QUORUM), in_flight (256 requests at once),
// connections (2 per node), timeout_ms (12000 per request). Unknown ones are errors.
#pragma once

#include <memory>

#include "common/status.h"
#include "common/uri.h"
#include "store/store.h"

namespace shopstream::cassandra {

// Checks the URI and its parameters; connects on the first Init() or Write().
Result<std::unique_ptr<store::RawStore>> OpenCassandraRawStore(const Uri& uri);

}  // namespace shopstream::cassandra
