// What differs between SQL databases, and nothing else: type names, identifier quoting,
// placeholders, the upsert syntax, how a transaction starts, how to ask whether a table exists,
// and a few limits. The schema (schema.h) and the rules (sql_processed_store.h,
// sql_query_store.h) are written once against this interface.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <utility>

#include "common/status.h"

namespace shopstream::sql {

enum class ColumnType {
  kVarchar,   // text of at most `width` characters
  kText,      // text of any length
  kBigInt,    // 64-bit integer
  kInt,       // 32-bit integer
  kDouble,    // 64-bit float
  kFloat,     // 32-bit float (the seed's FLOAT; SQLite keeps a REAL)
  kDatetime,  // "YYYY-MM-DD HH:MM:SS", no fraction, no zone
  kBlob,      // bytes
};

// What an upsert does to a column of a row whose key exists already.
enum class OnConflict {
  kAdd,      // column + new value
  kReplace,  // the new value
  kMax,      // the larger of the two
};

struct ColumnUpdate {
  std::string_view column;
  OnConflict how;
};

class Dialect {
 public:
  virtual ~Dialect() = default;

  virtual std::string_view name() const = 0;  // "sqlite", "mysql", "postgres"
  virtual std::string TypeName(ColumnType type, int width) const = 0;
  // Appended after CREATE TABLE's closing parenthesis (engine, character set).
  virtual std::string TableOptions() const { return ""; }
  virtual std::string Quote(std::string_view identifier) const = 0;
  // The `index`th (0-based) placeholder of a statement: "?" or "$1".
  virtual std::string Placeholder(size_t index) const = 0;
  // The clause after INSERT ... VALUES (...) for a row of `table` whose `key` exists already:
  // each of `updates` as it says, or nothing at all when `updates` is empty.
  virtual std::string OnConflictClause(std::string_view table,
                                       std::span<const std::string_view> key,
                                       std::span<const ColumnUpdate> updates) const = 0;
  virtual std::string BeginTransaction() const { return "BEGIN"; }
  // A query with one placeholder, the table's name, that returns one row with a count > 0
  // when the table exists in the store's database (or schema).
  virtual std::string TableExistsQuery() const = 0;
  // A query with two placeholders, a table's name and an index's, that returns one row with a
  // count > 0 when that table in the store's database (or schema) has that index.
  virtual std::string IndexExistsQuery() const = 0;
  // A query without placeholders that returns (table, column) for every column of every table
  // in the store's database (or schema): how older layouts are found (owned_tables.h).
  virtual std::string ColumnsQuery() const = 0;
  // Run first in the transaction that creates the tables, so that processors starting at once
  // create (adopt, fill) them one after another; empty where BeginTransaction does that.
  virtual std::string SchemaLock() const { return ""; }
  // Run after that transaction, however it ended, for a lock that outlives transactions.
  virtual std::string SchemaUnlock() const { return ""; }
  // True when a WITH query that its statement reads twice is computed once (SQLite and
  // PostgreSQL materialize it); MariaDB computes it for each reference.
  virtual bool computes_cte_once() const { return true; }
  // An expression for the hour bucket text 'YYYY-MM-DD HH' of a kDatetime column.
  virtual std::string HourText(std::string_view column) const = 0;
  // The same to the second, 'YYYY-MM-DD HH:MM:SS' (ten-second buckets are its first 18).
  virtual std::string SecondText(std::string_view column) const = 0;
  // The first day 'YYYY-MM-DD' of the `days`-day block holding the date text `date` (an SQL
  // expression, 'YYYY-MM-DD'), blocks counted from 1970-01-01 (event/hour_blocks.h).
  virtual std::string DayBlockStart(std::string_view date, int days) const = 0;
  // Text `a` followed by text `b` (two SQL expressions).
  virtual std::string Concat(std::string_view a, std::string_view b) const {
    return "(" + std::string(a) + " || " + std::string(b) + ")";
  }
  // True when a write transaction excludes every other writer (SQLite's BEGIN IMMEDIATE), so
  // that rows read, merged and written back need no row locks (SELECT ... FOR UPDATE).
  virtual bool serializes_writers() const { return false; }
  // The bytes of a kBlob column as the database's client returned it (the client's text form,
  // such as PostgreSQL's hex form of bytea, decoded).
  virtual Result<std::string> BlobBytes(std::string fetched) const { return fetched; }
  // Rows per multi-row statement: a few statements serve any batch, every value bound.
  virtual size_t max_rows_per_statement() const = 0;
  // Dead-letter payloads are cut to this many bytes (a server's packet limit, say).
  virtual size_t max_payload_bytes() const = 0;
};

}  // namespace shopstream::sql
