#include "store/query/query_store.h"

#include "common/uri.h"
#include "store/query/mysql_query_store.h"
#include "store/query/sqlite_query_store.h"

namespace shopstream {

Result<std::unique_ptr<QueryStore>> OpenQueryStore(const std::string& uri_text) {
  auto uri = ParseUri(uri_text);
  if (!uri.ok()) return uri.status();
  if (uri->scheme == "sqlite") {
    if (Status s = uri->CheckParams({}); !s.ok()) return s;
    return OpenSqliteQueryStore(uri->path);
  }
  if (uri->scheme == "mysql") return OpenMysqlQueryStore(*uri);
  return Status::InvalidArgument("store '" + uri->text +
                                 "': the dashboard reads sqlite:// and mysql:// stores, not " +
                                 uri->scheme + "://");
}

}  // namespace shopstream
