#include "store/mysql/mysql_processed_store.h"

#include <algorithm>
#include <map>
#include <string_view>
#include <tuple>
#include <unordered_set>

#include "common/log.h"
#include "event/rollup.h"
#include "store/mysql/chunked_statement.h"
#include "store/mysql/mysql_client.h"
#include "store/mysql/mysql_uri.h"
#include "store/mysql/mysql_values.h"
#include "store/rollup_backfill.h"

namespace shopstream {
namespace {

using mysql::Blob;
using mysql::ChunkedStatement;
using mysql::Connection;
using mysql::Value;

Value Text(std::string_view s) { return Value(s); }

// The DDL, for a rows table name already quoted. Text compares byte for byte (a binary collation
// without trailing-space padding), so ids and names are kept and matched exactly as given.
std::vector<std::string> SchemaStatements(const std::string& table, const std::string& collation) {
  const std::string options = " ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=" + collation;
  return {
      // The seed's table, column for column.
      "CREATE TABLE IF NOT EXISTS " + table +
          "(id VARCHAR(100) NOT NULL, event_time DATETIME, event_type VARCHAR(20),"
          " department VARCHAR(50), product VARCHAR(50), brand VARCHAR(50), price FLOAT,"
          " revenue FLOAT, PRIMARY KEY(id))" +
          options,
      "CREATE TABLE IF NOT EXISTS rollup_minute(bucket VARCHAR(16) NOT NULL,"
      " event_type VARCHAR(20) NOT NULL, department VARCHAR(50) NOT NULL,"
      " events BIGINT NOT NULL, revenue DOUBLE NOT NULL,"
      " PRIMARY KEY(bucket, event_type, department))" +
          options,
      "CREATE TABLE IF NOT EXISTS rollup_hour_brand(bucket VARCHAR(13) NOT NULL,"
      " brand VARCHAR(50) NOT NULL, event_type VARCHAR(20) NOT NULL,"
      " events BIGINT NOT NULL, revenue DOUBLE NOT NULL,"
      " PRIMARY KEY(bucket, brand, event_type))" +
          options,
      "CREATE TABLE IF NOT EXISTS rollup_hour_product(bucket VARCHAR(13) NOT NULL,"
      " department VARCHAR(50) NOT NULL, product VARCHAR(50) NOT NULL,"
      " event_type VARCHAR(20) NOT NULL, events BIGINT NOT NULL, revenue DOUBLE NOT NULL,"
      " PRIMARY KEY(bucket, department, product, event_type))" +
          options,
      "CREATE TABLE IF NOT EXISTS rollup_hour(bucket VARCHAR(13) NOT NULL,"
      " event_type VARCHAR(20) NOT NULL, department VARCHAR(50) NOT NULL,"
      " events BIGINT NOT NULL, revenue DOUBLE NOT NULL,"
      " PRIMARY KEY(bucket, event_type, department))" +
          options,
      "CREATE TABLE IF NOT EXISTS rollup_day(bucket VARCHAR(10) NOT NULL,"
      " event_type VARCHAR(20) NOT NULL, department VARCHAR(50) NOT NULL,"
      " events BIGINT NOT NULL, revenue DOUBLE NOT NULL,"
      " PRIMARY KEY(bucket, event_type, department))" +
          options,
      "CREATE TABLE IF NOT EXISTS rollup_brand(brand VARCHAR(50) NOT NULL,"
      " event_type VARCHAR(20) NOT NULL, events BIGINT NOT NULL, revenue DOUBLE NOT NULL,"
      " PRIMARY KEY(brand, event_type))" +
          options,
      "CREATE TABLE IF NOT EXISTS rollup_product(department VARCHAR(50) NOT NULL,"
      " product VARCHAR(50) NOT NULL, event_type VARCHAR(20) NOT NULL,"
      " events BIGINT NOT NULL, revenue DOUBLE NOT NULL,"
      " PRIMARY KEY(department, product, event_type))" +
          options,
      "CREATE TABLE IF NOT EXISTS stream_offsets(stream VARCHAR(255) NOT NULL,"
      " `partition` INT NOT NULL, next_offset BIGINT NOT NULL,"
      " PRIMARY KEY(stream, `partition`))" +
          options,
      "CREATE TABLE IF NOT EXISTS dead_letters(stream VARCHAR(255) NOT NULL,"
      " `partition` INT NOT NULL, `offset` BIGINT NOT NULL, reason TEXT NOT NULL,"
      " payload MEDIUMBLOB, recorded_at DATETIME NOT NULL,"
      " PRIMARY KEY(stream, `partition`, `offset`))" +
          options,
      "CREATE TABLE IF NOT EXISTS processor_stats(stream VARCHAR(255) NOT NULL,"
      " batches BIGINT NOT NULL, events BIGINT NOT NULL, dead_letters BIGINT NOT NULL,"
      " last_batch_ms DOUBLE, lag BIGINT, updated_at DATETIME NOT NULL, PRIMARY KEY(stream))" +
          options,
  };
}

// MariaDB and MySQL 8 name their exact (binary, no-pad) utf8mb4 collations differently.
std::string ExactCollation(const std::string& server_version) {
  return server_version.find("MariaDB") != std::string::npos ? "utf8mb4_nopad_bin"
                                                             : "utf8mb4_0900_bin";
}

// Measured on MariaDB 10.11 (bench/run stores): the server's CPU per row grows with the
// placeholders of a prepared INSERT; 64 rows (512 values) cost about half of 256 per row, and
// 1,024 rows cost more again.
constexpr size_t kRowsPerInsert = 64;

const char* kAddTotals =
    " ON DUPLICATE KEY UPDATE events = events + VALUES(events),"
    " revenue = revenue + VALUES(revenue)";

// The name LOAD DATA LOCAL gives; the client feeds the batch from memory for it, no file.
constexpr std::string_view kLoadFileName = "batch";

mysql::ConnectOptions WithLocalInfile(mysql::ConnectOptions options) {
  options.local_infile = true;
  return options;
}

class MysqlProcessedStore : public ProcessedStore {
 public:
  MysqlProcessedStore(mysql::ConnectOptions options, const std::string& table)
      : options_(WithLocalInfile(std::move(options))),
        table_(table),
        load_rows_sql_("LOAD DATA LOCAL INFILE '" + std::string(kLoadFileName) + "' INTO TABLE " +
                       table +
                       " CHARACTER SET utf8mb4 FIELDS TERMINATED BY '\\t' ESCAPED BY '\\\\'"
                       " LINES TERMINATED BY '\\n'"
                       " (id, event_time, event_type, department, product, brand, price,"
                       " revenue)"),
        find_ids_("SELECT id FROM " + table + " WHERE id IN (", "?", ",", ") FOR UPDATE", 1,
                  "looking up existing ids in " + table),
        insert_rows_("INSERT INTO " + table +
                         "(id, event_time, event_type, department, product, brand, price,"
                         " revenue) VALUES ",
                     "(?,?,?,?,?,?,?,?)", ",", "", 8, "inserting rows into " + table,
                     kRowsPerInsert),
        minute_(
            "INSERT INTO rollup_minute(bucket, event_type, department, events, revenue)"
            " VALUES ",
            "(?,?,?,?,?)", ",", kAddTotals, 5, "adding to rollup_minute"),
        hour_brand_(
            "INSERT INTO rollup_hour_brand(bucket, brand, event_type, events, revenue)"
            " VALUES ",
            "(?,?,?,?,?)", ",", kAddTotals, 5, "adding to rollup_hour_brand"),
        hour_product_(
            "INSERT INTO rollup_hour_product(bucket, department, product, event_type,"
            " events, revenue) VALUES ",
            "(?,?,?,?,?,?)", ",", kAddTotals, 6, "adding to rollup_hour_product"),
        hour_("INSERT INTO rollup_hour(bucket, event_type, department, events, revenue) VALUES ",
              "(?,?,?,?,?)", ",", kAddTotals, 5, "adding to rollup_hour"),
        day_("INSERT INTO rollup_day(bucket, event_type, department, events, revenue) VALUES ",
             "(?,?,?,?,?)", ",", kAddTotals, 5, "adding to rollup_day"),
        brand_("INSERT INTO rollup_brand(brand, event_type, events, revenue) VALUES ", "(?,?,?,?)",
               ",", kAddTotals, 4, "adding to rollup_brand"),
        product_(
            "INSERT INTO rollup_product(department, product, event_type, events, revenue)"
            " VALUES ",
            "(?,?,?,?,?)", ",", kAddTotals, 5, "adding to rollup_product"),
        dead_letters_(
            "INSERT INTO dead_letters(stream, `partition`, `offset`, reason, payload,"
            " recorded_at) VALUES ",
            "(?,?,?,?,?,UTC_TIMESTAMP())", ",", " ON DUPLICATE KEY UPDATE `offset` = `offset`", 5,
            "storing dead letters"),
        offsets_(
            "INSERT INTO stream_offsets(stream, `partition`, next_offset) VALUES ", "(?,?,?)", ",",
            " ON DUPLICATE KEY UPDATE next_offset = GREATEST(next_offset, VALUES(next_offset))", 3,
            "storing offsets"),
        stats_(
            "INSERT INTO processor_stats(stream, batches, events, dead_letters,"
            " last_batch_ms, lag, updated_at) VALUES ",
            "(?, 1, ?, ?, ?, ?, UTC_TIMESTAMP())", ",",
            " ON DUPLICATE KEY UPDATE batches = batches + 1,"
            " events = events + VALUES(events),"
            " dead_letters = dead_letters + VALUES(dead_letters),"
            " last_batch_ms = VALUES(last_batch_ms), lag = VALUES(lag),"
            " updated_at = VALUES(updated_at)",
            5, "updating processor_stats"),
        load_offsets_("SELECT `partition`, next_offset FROM stream_offsets WHERE stream IN (", "?",
                      ",", ")", 1, "loading offsets") {}

  ~MysqlProcessedStore() override { Disconnect(); }

  Status Init() override {
    if (Status s = Connect(); !s.ok()) return s;
    auto missing = MissingCoarseRollups();
    if (!missing.ok()) return Done(missing.status());
    for (const std::string& sql :
         SchemaStatements(table_, ExactCollation(conn_->server_version()))) {
      if (Status s = conn_->Exec(sql, "creating tables"); !s.ok()) return Done(s);
    }
    for (const CoarseRollupBackfill* backfill : *missing) {
      if (Status s = conn_->Exec(backfill->insert_sql,
                                 std::string("filling ") + backfill->table + " from finer rollups");
          !s.ok()) {
        return Done(s);
      }
    }
    return Status::Ok();
  }

  Status Commit(const ProcessedBatch& batch) override {
    if (Status s = mysql::CheckStreamName(batch.stream); !s.ok()) return s;
    for (const CleanedEvent& row : batch.rows) {
      if (Status s = mysql::CheckRow(row); !s.ok()) return s;
    }
    if (Status s = Connect(); !s.ok()) return s;
    if (Status s = conn_->Exec("START TRANSACTION", "starting a transaction"); !s.ok()) {
      return Done(s);
    }
    Status s = WriteAll(batch);
    if (s.ok()) s = conn_->Exec("COMMIT", "committing");
    if (!s.ok() && conn_->healthy()) {
      conn_->Exec("ROLLBACK", "rolling back");  // the first error is the one to report
    }
    return Done(s);
  }

  Result<OffsetMap> LoadOffsets(const std::string& stream,
                                const std::vector<int32_t>& partitions) override {
    if (Status s = Connect(); !s.ok()) return s;
    auto rows = load_offsets_.Query(*conn_, {Text(stream)});
    if (!rows.ok()) return Done(rows.status());
    OffsetMap out;
    for (const mysql::Row& row : rows.value()) {
      const int32_t partition = static_cast<int32_t>(std::stol(row.at(0).value()));
      if (partitions.empty() ||
          std::find(partitions.begin(), partitions.end(), partition) != partitions.end()) {
        out[partition] = std::stoll(row.at(1).value());
      }
    }
    return out;
  }

 private:
  // The coarse rollup tables this database does not have yet.
  Result<std::vector<const CoarseRollupBackfill*>> MissingCoarseRollups() {
    auto lookup = conn_->Prepare(
        "SELECT COUNT(*) FROM information_schema.tables"
        " WHERE table_schema = DATABASE() AND table_name = ?",
        "looking up the rollup tables");
    if (!lookup.ok()) return lookup.status();
    std::vector<const CoarseRollupBackfill*> missing;
    for (const CoarseRollupBackfill& backfill : kCoarseRollupBackfills) {
      auto rows = lookup->Query({Text(backfill.table)});
      if (!rows.ok()) return rows.status();
      if (rows->empty() || rows->front().at(0).value_or("0") == "0") missing.push_back(&backfill);
    }
    return missing;
  }

  Status WriteAll(const ProcessedBatch& batch) {
    // Each id counts once: the first of its occurrences in the batch, if it is not stored yet.
    std::vector<const CleanedEvent*> unique;
    std::unordered_set<std::string_view> seen;
    std::vector<Value> ids;
    for (const CleanedEvent& row : batch.rows) {
      if (seen.insert(row.id).second) {
        unique.push_back(&row);
        ids.push_back(Text(row.id));
      }
    }
    // The usual case: every id is new (a batch replayed after a crash was never committed,
    // since its offsets commit with its rows). Insert them all at once under a savepoint; if
    // any id turns out to be stored already, undo that and insert only the new ones.
    if (Status s = conn_->Exec("SAVEPOINT new_rows", "setting a savepoint"); !s.ok()) return s;
    auto bulk = BulkLoad(unique);
    if (!bulk.ok()) return bulk.status();
    Status optimistic = Status::Ok();
    if (bulk.value() == BulkResult::kNotTried) {
      optimistic = insert_rows_.Execute(*conn_, RowValues(unique));
      if (!optimistic.ok() && !mysql::IsDuplicateKey(conn_->last_error())) return optimistic;
    }
    if (bulk.value() == BulkResult::kUndone || !optimistic.ok()) {
      if (Status s = conn_->Exec("ROLLBACK TO SAVEPOINT new_rows", "undoing the rows"); !s.ok()) {
        return s;
      }
      auto fresh = NewRows(unique, ids);
      if (!fresh.ok()) return fresh.status();
      unique = std::move(fresh).value();
      if (Status s = insert_rows_.Execute(*conn_, RowValues(unique)); !s.ok()) return s;
    }
    RollupDelta delta;
    for (const CleanedEvent* row : unique) delta.Add(*row);
    const auto inserted_count = static_cast<int64_t>(unique.size());

    if (Status s = WriteRollups(delta); !s.ok()) return s;

    std::vector<Value> values;
    std::vector<std::string> reasons;
    reasons.reserve(batch.dead_letters.size());
    for (const DeadLetter& d : batch.dead_letters) {
      reasons.push_back(mysql::SanitizeUtf8(d.reason, mysql::kMaxReasonBytes));
      const std::string_view payload =
          std::string_view(d.payload).substr(0, mysql::kMaxPayloadBytes);
      values.insert(values.end(), {Text(batch.stream), int64_t{d.partition}, d.offset,
                                   Text(reasons.back()), Blob{payload}});
    }
    if (Status s = dead_letters_.Execute(*conn_, values); !s.ok()) return s;

    values.clear();
    for (const auto& [partition, next] : batch.next_offsets) {
      values.insert(values.end(), {Text(batch.stream), int64_t{partition}, next});
    }
    if (Status s = offsets_.Execute(*conn_, values); !s.ok()) return s;

    return stats_.Execute(
        *conn_, {Text(batch.stream), inserted_count,
                 static_cast<int64_t>(batch.dead_letters.size()), batch.batch_millis, batch.lag});
  }

  enum class BulkResult { kLoaded, kUndone, kNotTried };

  // The fast path: every row in one LOAD DATA LOCAL fed from memory. kUndone when the server
  // skipped or changed something (a stored id, a value that needed converting): the caller
  // rolls back to the savepoint and takes the checked path, where strict mode reports it.
  Result<BulkResult> BulkLoad(const std::vector<const CleanedEvent*>& rows) {
    if (!bulk_enabled_ || rows.empty()) return BulkResult::kNotTried;
    bulk_data_.clear();
    for (const CleanedEvent* row : rows) {
      if (!mysql::AppendLoadDataLine(*row, &bulk_data_)) return BulkResult::kNotTried;
    }
    unsigned warnings = 0;
    auto loaded = conn_->LoadLocalData(load_rows_sql_, kLoadFileName, bulk_data_, &warnings,
                                       "loading rows into " + table_);
    if (!loaded.ok()) {
      if (!mysql::IsLocalInfileRefused(conn_->last_error())) return loaded.status();
      LogWarn("the server refuses LOAD DATA LOCAL (" + loaded.status().message() +
              "); inserting with prepared statements instead");
      bulk_enabled_ = false;
      return BulkResult::kNotTried;
    }
    return loaded.value() == rows.size() && warnings == 0 ? BulkResult::kLoaded
                                                          : BulkResult::kUndone;
  }

  static std::vector<Value> RowValues(const std::vector<const CleanedEvent*>& rows) {
    std::vector<Value> values;
    values.reserve(rows.size() * 8);
    for (const CleanedEvent* row : rows) {
      values.insert(values.end(), {Text(row->id), Text(row->event_time), Text(row->event_type),
                                   Text(row->department), Text(row->product), Text(row->brand),
                                   row->price, row->revenue});
    }
    return values;
  }

  // The rows whose id is not stored yet. A locking read: a concurrent writer of the same ids
  // waits, or one of the two deadlocks and retries, instead of both counting the same event.
  Result<std::vector<const CleanedEvent*>> NewRows(const std::vector<const CleanedEvent*>& rows,
                                                   const std::vector<Value>& ids) {
    auto existing_rows = find_ids_.Query(*conn_, ids);
    if (!existing_rows.ok()) return existing_rows.status();
    std::unordered_set<std::string> existing;
    for (const mysql::Row& row : existing_rows.value()) existing.insert(row.at(0).value_or(""));
    std::vector<const CleanedEvent*> fresh;
    for (const CleanedEvent* row : rows) {
      if (existing.count(row->id) == 0) fresh.push_back(row);
    }
    return fresh;
  }

  // Adds each key's totals to its row in one chunked upsert: the key's texts, then events and
  // revenue. Bound values point into `deltas`.
  template <typename Key>
  Status AddTotals(ChunkedStatement& statement, const std::map<Key, Totals>& deltas) {
    std::vector<Value> values;
    values.reserve(deltas.size() * (std::tuple_size_v<Key> + 2));
    for (const auto& [key, t] : deltas) {
      std::apply([&](const auto&... text) { (values.push_back(Text(text)), ...); }, key);
      values.push_back(t.events);
      values.push_back(t.revenue);
    }
    return statement.Execute(*conn_, values);
  }

  Status WriteRollups(const RollupDelta& delta) {
    const CoarseRollupDelta coarse = Coarsen(delta);
    Status s = AddTotals(minute_, delta.by_minute);
    if (s.ok()) s = AddTotals(hour_brand_, delta.by_hour_brand);
    if (s.ok()) s = AddTotals(hour_product_, delta.by_hour_product);
    if (s.ok()) s = AddTotals(hour_, coarse.by_hour);
    if (s.ok()) s = AddTotals(day_, coarse.by_day);
    if (s.ok()) s = AddTotals(brand_, coarse.by_brand);
    if (s.ok()) s = AddTotals(product_, coarse.by_product);
    return s;
  }

  // Opens a connection when there is none or the last one was lost. Statements are prepared
  // on first use, since the tables may not exist before Init.
  Status Connect() {
    if (conn_ && conn_->healthy()) return Status::Ok();
    Disconnect();
    auto conn = Connection::Open(options_);
    if (!conn.ok()) return conn.status();
    conn_ = std::move(conn).value();
    return Status::Ok();
  }

  // Drops the connection after an error that lost it, so that the next call connects again.
  template <typename S>
  S Done(S status) {
    if (conn_ && !conn_->healthy()) Disconnect();
    return status;
  }

  void Disconnect() {
    // Statements go before the connection they belong to.
    for (ChunkedStatement* c :
         {&find_ids_, &insert_rows_, &minute_, &hour_brand_, &hour_product_, &hour_, &day_, &brand_,
          &product_, &dead_letters_, &offsets_, &stats_, &load_offsets_}) {
      c->Reset();
    }
    conn_.reset();
  }

  mysql::ConnectOptions options_;
  std::string table_;
  std::unique_ptr<Connection> conn_;
  const std::string load_rows_sql_;
  bool bulk_enabled_ = true;  // until the server refuses LOAD DATA LOCAL
  std::string bulk_data_;     // reused between batches
  ChunkedStatement find_ids_, insert_rows_, minute_, hour_brand_, hour_product_, hour_, day_,
      brand_, product_, dead_letters_, offsets_, stats_, load_offsets_;
};

}  // namespace

Result<std::unique_ptr<ProcessedStore>> OpenMysqlProcessedStore(const Uri& uri) {
  auto target = mysql::ParseMysqlUri(uri);
  if (!target.ok()) return target.status();
  return std::unique_ptr<ProcessedStore>(
      new MysqlProcessedStore(std::move(target->options), target->table));
}

}  // namespace shopstream
