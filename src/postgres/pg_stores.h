// The processed store on PostgreSQL: the seed's table (or the one the URI names) and the
// project's rollup, offset, dead-letter and stats tables in the URI's schema, one transaction
// per micro-batch, the rows in by COPY FROM STDIN.
//
//   postgres://USER@HOST:PORT/DATABASE[.SCHEMA.TABLE]
//
// The password comes from $SHOPSTREAM_PG_PASSWORD, else from libpq's password file
// ($PGPASSFILE or ~/.pgpass).
#pragma once

#include <memory>

#include "common/status.h"
#include "common/uri.h"
#include "query/query_store.h"
#include "store/store.h"

namespace shopstream::postgres {

// Checks the URI; connects lazily (in Init, Commit or LoadOffsets), so that an outage surfaces
// as a retryable Status from those calls.
Result<std::unique_ptr<store::ProcessedStore>> OpenPostgresProcessedStore(const Uri& uri);

// The dashboard's reader: connects once now to check the credentials and the database
// (InvalidArgument when refused); a server that cannot be reached is only logged.
Result<std::unique_ptr<query::QueryStore>> OpenPostgresQueryStore(const Uri& uri);

}  // namespace shopstream::postgres
