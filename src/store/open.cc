#include "store/open.h"

#include "common/uri.h"
#include "store/cassandra/cassandra_raw_store.h"
#include "store/mysql/mysql_database.h"
#include "store/mysql/mysql_stores.h"
#include "store/mysql/mysql_uri.h"
#include "store/postgres/pg_database.h"
#include "store/postgres/pg_stores.h"
#include "store/postgres/pg_uri.h"
#include "store/sqlite/sqlite_database.h"
#include "store/sqlite/sqlite_stores.h"

namespace shopstream {

Result<std::unique_ptr<RawStore>> OpenRawStore(const std::string& text) {
  if (Status s = CheckScheme(text, {"sqlite", "cassandra"}); !s.ok()) return s;
  auto uri = ParseUri(text);
  if (!uri.ok()) return uri.status();
  if (uri->scheme == "sqlite") {
    if (Status s = uri->CheckParams({}); !s.ok()) return s;
    return OpenSqliteRawStore(uri->path);
  }
  if (uri->scheme == "cassandra") return OpenCassandraRawStore(*uri);
  return Status::InvalidArgument("'" + uri->text + "': unknown raw store scheme '" + uri->scheme +
                                 "' (use sqlite:///PATH or cassandra://HOST:PORT/KEYSPACE.TABLE)");
}

Result<std::unique_ptr<ProcessedStore>> OpenProcessedStore(const std::string& text) {
  if (Status s = CheckScheme(text, {"sqlite", "mysql", "postgres"}); !s.ok()) return s;
  auto uri = ParseUri(text);
  if (!uri.ok()) return uri.status();
  if (uri->scheme == "sqlite") {
    if (Status s = uri->CheckParams({"table"}); !s.ok()) return s;
    return OpenSqliteProcessedStore(uri->path, uri->Param("table", "operations"));
  }
  if (uri->scheme == "mysql") return OpenMysqlProcessedStore(*uri);
  if (uri->scheme == "postgres") return OpenPostgresProcessedStore(*uri);
  return Status::InvalidArgument(
      "'" + uri->text + "': unknown processed store scheme '" + uri->scheme +
      "' (use sqlite:///PATH[?table=TABLE], mysql://USER@HOST:PORT/DATABASE.TABLE or"
      " postgres://USER@HOST:PORT/DATABASE.SCHEMA.TABLE)");
}

Result<std::unique_ptr<QueryStore>> OpenQueryStore(const std::string& text) {
  if (Status s = CheckScheme(text, {"sqlite", "mysql", "postgres"}); !s.ok()) return s;
  auto uri = ParseUri(text);
  if (!uri.ok()) return uri.status();
  if (uri->scheme == "sqlite") {
    if (Status s = uri->CheckParams({"table"}); !s.ok()) return s;
    return OpenSqliteQueryStore(uri->path, uri->Param("table", "operations"));
  }
  if (uri->scheme == "mysql") return OpenMysqlQueryStore(*uri);
  if (uri->scheme == "postgres") return OpenPostgresQueryStore(*uri);
  return Status::InvalidArgument("store '" + uri->text +
                                 "': the dashboard reads sqlite://, mysql:// and postgres:// "
                                 "stores, not " +
                                 uri->scheme + "://");
}

namespace {

// The SQL database of a processed store's URI, for statements only (no bulk load of rows);
// a SQLite file is opened read-only unless `writable`.
Result<std::unique_ptr<sql::SqlDatabase>> OpenSqlDatabase(const std::string& text, bool writable) {
  if (Status s = CheckScheme(text, {"sqlite", "mysql", "postgres"}); !s.ok()) return s;
  auto uri = ParseUri(text);
  if (!uri.ok()) return uri.status();
  if (uri->scheme == "sqlite") {
    if (Status s = uri->CheckParams({"table"}); !s.ok()) return s;
    return sql::MakeSqliteDatabase(uri->path, uri->Param("table", "operations"),
                                   /*read_only=*/!writable);
  }
  if (uri->scheme == "mysql") {
    auto target = mysql::ParseMysqlUri(*uri);
    if (!target.ok()) return target.status();
    return sql::MakeMysqlDatabase(std::move(target).value(), /*for_writing=*/false);
  }
  auto target = postgres::ParsePostgresUri(*uri);
  if (!target.ok()) return target.status();
  return sql::MakePostgresDatabase(std::move(target).value());
}

}  // namespace

Result<sql::StoreStatus> ReadProcessedStoreStatus(const std::string& text) {
  auto database = OpenSqlDatabase(text, /*writable=*/false);
  if (!database.ok()) return database.status();
  return sql::ReadStoreStatus(**database);
}

Result<std::unique_ptr<sql::DeadLetterTable>> OpenDeadLetterTable(const std::string& text) {
  auto database = OpenSqlDatabase(text, /*writable=*/true);
  if (!database.ok()) return database.status();
  return sql::DeadLetterTable::Open(std::move(database).value());
}

}  // namespace shopstream
