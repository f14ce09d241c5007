#include "endpoints/open_store.h"

#include <unistd.h>

#include "cassandra/cassandra_raw_store.h"
#include "common/uri.h"
#include "mysql/mysql_database.h"
#include "mysql/mysql_stores.h"
#include "mysql/mysql_uri.h"
#include "postgres/pg_database.h"
#include "postgres/pg_stores.h"
#include "postgres/pg_uri.h"
#include "sqlite/sqlite_database.h"
#include "sqlite/sqlite_stores.h"

namespace shopstream::endpoints {

Result<std::unique_ptr<store::RawStore>> OpenRawStore(const std::string& text) {
  if (Status s = CheckScheme(text, {"sqlite", "cassandra"}); !s.ok()) return s;
  auto uri = ParseUri(text);
  if (!uri.ok()) return uri.status();
  if (uri->scheme == "sqlite") {
    if (Status s = uri->CheckParams({}); !s.ok()) return s;
    return sqlite::OpenSqliteRawStore(uri->path);
  }
  if (uri->scheme == "cassandra") return cassandra::OpenCassandraRawStore(*uri);
  return Status::InvalidArgument("'" + uri->text + "': unknown raw store scheme '" + uri->scheme +
                                 "' (use sqlite:///PATH or cassandra://HOST:PORT/KEYSPACE.TABLE)");
}

Result<std::unique_ptr<store::ProcessedStore>> OpenProcessedStore(const std::string& text) {
  if (Status s = CheckScheme(text, {"sqlite", "mysql", "postgres"}); !s.ok()) return s;
  auto uri = ParseUri(text);
  if (!uri.ok()) return uri.status();
  if (uri->scheme == "sqlite") {
    if (Status s = uri->CheckParams({"table"}); !s.ok()) return s;
    return sqlite::OpenSqliteProcessedStore(uri->path, uri->Param("table", "operations"));
  }
  if (uri->scheme == "mysql") return mysql::OpenMysqlProcessedStore(*uri);
  if (uri->scheme == "postgres") return postgres::OpenPostgresProcessedStore(*uri);
  return Status::InvalidArgument(
      "'" + uri->text + "': unknown processed store scheme '" + uri->scheme +
      "' (use sqlite:///PATH[?table=TABLE], mysql://USER@HOST:PORT/DATABASE.TABLE or"
      " postgres://USER@HOST:PORT/DATABASE.SCHEMA.TABLE)");
}

Result<std::unique_ptr<query::QueryStore>> OpenQueryStore(const std::string& text) {
  if (Status s = CheckScheme(text, {"sqlite", "mysql", "postgres"}); !s.ok()) return s;
  auto uri = ParseUri(text);
  if (!uri.ok()) return uri.status();
  if (uri->scheme == "sqlite") {
    if (Status s = uri->CheckParams({"table"}); !s.ok()) return s;
    return sqlite::OpenSqliteQueryStore(uri->path, uri->Param("table", "operations"));
  }
  if (uri->scheme == "mysql") return mysql::OpenMysqlQueryStore(*uri);
  if (uri->scheme == "postgres") return postgres::OpenPostgresQueryStore(*uri);
  return Status::InvalidArgument("store '" + uri->text +
                                 "': the dashboard reads sqlite://, mysql:// and postgres:// "
                                 "stores, not " +
                                 uri->scheme + "://");
}

namespace {

// The SQL database of a processed store's URI, for statements only (no bulk load of rows);
// a SQLite file is opened read-only unless `writable`. A sqlite file that does not exist is
// InvalidArgument (the user's input), not the I/O error a read-only open would give.
Result<std::unique_ptr<sql::SqlDatabase>> OpenSqlDatabase(const std::string& text, bool writable) {
  if (Status s = CheckScheme(text, {"sqlite", "mysql", "postgres"}); !s.ok()) return s;
  auto uri = ParseUri(text);
  if (!uri.ok()) return uri.status();
  if (uri->scheme == "sqlite") {
    if (Status s = uri->CheckParams({"table"}); !s.ok()) return s;
    if (::access(uri->path.c_str(), F_OK) != 0) {
      return Status::InvalidArgument("store '" + uri->text + "': no such file");
    }
    return sqlite::MakeSqliteDatabase(uri->path, uri->Param("table", "operations"),
                                      /*read_only=*/!writable);
  }
  if (uri->scheme == "mysql") {
    auto target = mysql::ParseMysqlUri(*uri);
    if (!target.ok()) return target.status();
    return mysql::MakeMysqlDatabase(std::move(target).value(), /*for_writing=*/false);
  }
  auto target = postgres::ParsePostgresUri(*uri);
  if (!target.ok()) return target.status();
  return postgres::MakePostgresDatabase(std::move(target).value());
}

}  // namespace

Result<std::unique_ptr<sql::SqlDatabase>> OpenSqlDatabaseForReading(const std::string& text) {
  return OpenSqlDatabase(text, /*writable=*/false);
}

Result<sql::StoreStatus> ReadProcessedStoreStatus(const std::string& text) {
  auto database = OpenSqlDatabase(text, /*writable=*/false);
  if (!database.ok()) return database.status();
  return sql::ReadStoreStatus(**database);
}

Result<std::unique_ptr<sql::DeadLetterTable>> OpenDeadLetterTable(const std::string& text,
                                                                  bool writable) {
  auto database = OpenSqlDatabase(text, writable);
  if (!database.ok()) return database.status();
  return sql::DeadLetterTable::Open(std::move(database).value());
}

}  // namespace shopstream::endpoints
