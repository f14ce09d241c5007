// QueryStore over the MySQL/MariaDB processed store that `shopstream process --processed
// mysql://...` writes (src/store/mysql): the same rollup tables, read with prepared statements
// whose every value is bound.
//
//   mysql://USER@HOST:PORT/DATABASE[.TABLE][?option-file=PATH]
//
// Credentials as for the processed store ($SHOPSTREAM_MYSQL_PASSWORD, else the option file
// named by ?option-file= or $SHOPSTREAM_MYSQL_OPTION_FILE). A small pool of connections serves
// the HTTP threads; a connection lost mid-query is dropped and the query runs once more on a
// new one.
#pragma once

#include <memory>

#include "common/uri.h"
#include "store/query/query_store.h"

namespace shopstream {

// Connects once to check the credentials and the database: InvalidArgument when the server
// refuses them. A server that cannot be reached is only logged: queries return Unavailable
// until it is back.
Result<std::unique_ptr<QueryStore>> OpenMysqlQueryStore(const Uri& uri);

}  // namespace shopstream
