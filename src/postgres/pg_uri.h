// Reads a postgres://USER@HOST:PORT/DATABASE[.SCHEMA.TABLE] URI into connection options, with
// the password from $SHOPSTREAM_PG_PASSWORD (else libpq's PGPASSFILE or ~/.pgpass).
#pragma once

#include <string>

#include "common/status.h"
#include "common/uri.h"
#include "postgres/pg_client.h"

namespace shopstream::postgres {

struct PostgresTarget {
  ConnectOptions options;  // options.schema holds every table of the store
  std::string table;       // the rows table, a plain name (checked); operations by default
};

// InvalidArgument for another scheme, a server list, a missing database, names that are not
// plain, or unknown options.
Result<PostgresTarget> ParsePostgresUri(const Uri& uri);

}  // namespace shopstream::postgres
