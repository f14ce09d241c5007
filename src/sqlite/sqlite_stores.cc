#include "sqlite/sqlite_stores.h"

#include <sys/stat.h>

#include <algorithm>

#include "sql/sql_processed_store.h"
#include "sql/sql_query_store.h"
#include "sqlite/sqlite_client.h"
#include "sqlite/sqlite_database.h"

namespace shopstream::sqlite {
namespace {

// InvalidArgument unless `path` is a SQLite database that is, or may yet become, a processed
// store: one with no tables yet, or with a table that `process` creates (it creates them one
// after another, the raw store's first when both share the file, so any one of them will do).
Status CheckIsStore(const std::string& path) {
  auto db = sqlite::Database::Open(path, sqlite::Database::Mode::kReadOnly);
  if (!db.ok()) return db.status();
  auto tables = (*db)->Prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY 1");
  if (!tables.ok()) {
    if (tables.status().code() == StatusCode::kCorruption) {
      return Status::InvalidArgument("store " + path +
                                     " is not a SQLite database (the file `shopstream process` "
                                     "writes with --processed sqlite://...)");
    }
    return Status::IoError("store " + path + ": listing its tables: " + tables.status().message());
  }
  std::string names;
  bool ours = false, log = false;
  while (true) {
    auto row = tables->Step();
    if (!row.ok()) {
      if (row.status().code() == StatusCode::kCorruption) {
        return Status::InvalidArgument("store " + path + " is not a SQLite database");
      }
      return Status::IoError("store " + path + ": listing its tables: " + row.status().message());
    }
    if (!*row) break;
    const std::string name(tables->ColumnText(0));
    ours = ours || name == "raw_operations" || name == "operations" ||
           name.starts_with("rollup_") || name.ends_with("stream_offsets") ||
           name == "dead_letters" || name == "processor_stats";
    log = log || name == "log";
    if (!names.empty()) names += ", ";
    names += name;
  }
  if (!names.empty() && !ours) {
    if (names.size() > 200) names = names.substr(0, 200) + "...";
    return Status::InvalidArgument(
        "store " + path + " is a SQLite database but not a shopstream processed store (" +
        (log ? std::string("it is an embedded log, which `process` reads with --from")
             : "its tables are " + names) +
        ")");
  }
  return Status::Ok();
}

// InvalidArgument unless `table` is a plain name: letters, digits and _.
Status CheckTableName(const std::string& path, const std::string& table) {
  const bool plain = !table.empty() && std::all_of(table.begin(), table.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  });
  if (plain) return Status::Ok();
  return Status::InvalidArgument("store " + path + ": table '" + table +
                                 "' is not a plain name (letters, digits and _)");
}

}  // namespace

Result<std::unique_ptr<store::ProcessedStore>> OpenSqliteProcessedStore(const std::string& path,
                                                                        const std::string& table) {
  if (Status s = CheckTableName(path, table); !s.ok()) return s;
  return sql::MakeSqlProcessedStore(sqlite::MakeSqliteDatabase(path, table));
}

Result<std::unique_ptr<query::QueryStore>> OpenSqliteQueryStore(const std::string& path,
                                                                const std::string& table) {
  if (Status s = CheckTableName(path, table); !s.ok()) return s;
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    return Status::NotFound("store " + path +
                            " does not exist (start `shopstream process` to create it, or check "
                            "the path)");
  }
  if (Status s = CheckIsStore(path); !s.ok()) return s;
  return sql::MakeSqlQueryStore(sqlite::MakeSqliteDatabase(path, table, /*read_only=*/true));
}

}  // namespace shopstream::sqlite
