// The processed store on MySQL or MariaDB: the seed's table `operations` (or the table the URI
// names) plus the project's rollup, offset, dead-letter and stats tables, written in one
// transaction per micro-batch.
//
//   mysql://USER@HOST:PORT/DATABASE[.TABLE][?option-file=/path/to/client.cnf]
//
// The password comes from $SHOPSTREAM_MYSQL_PASSWORD, else from the option file ([client]
// section) named by ?option-file= or $SHOPSTREAM_MYSQL_OPTION_FILE. User, host and port missing
// from the URI are taken from the option file too.
#pragma once

#include <memory>

#include "common/status.h"
#include "common/uri.h"
#include "query/query_store.h"
#include "store/store.h"

namespace shopstream::mysql {

// Checks the URI and reads the credentials' sources; connects lazily (in Init, Commit or
// LoadOffsets), so that an outage surfaces as a retryable Status from those calls. After a
// connection error the next call connects again; backoff is the caller's.
Result<std::unique_ptr<store::ProcessedStore>> OpenMysqlProcessedStore(const Uri& uri);

// The dashboard's reader: connects once now to check the credentials and the database
// (InvalidArgument when refused); a server that cannot be reached is only logged.
Result<std::unique_ptr<query::QueryStore>> OpenMysqlQueryStore(const Uri& uri);

}  // namespace shopstream::mysql
