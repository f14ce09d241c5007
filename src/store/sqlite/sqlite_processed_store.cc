#include <chrono>
#include <ctime>
#include <map>
#include <tuple>
#include <utility>
#include <vector>

#include "event/rollup.h"
#include "sqlite/sqlite.h"
#include "store/rollup_backfill.h"
#include "store/sqlite/sqlite_stores.h"

namespace shopstream {
namespace {

using sqlite::Database;
using sqlite::Statement;

// The seed's MySQL table `operations` and the project's own tables, written together in one
// transaction per micro-batch.
constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS operations(id TEXT PRIMARY KEY, event_time TEXT, event_type TEXT,
  department TEXT, product TEXT, brand TEXT, price REAL, revenue REAL);
CREATE TABLE IF NOT EXISTS rollup_minute(bucket TEXT, event_type TEXT, department TEXT,
  events INTEGER NOT NULL, revenue REAL NOT NULL, PRIMARY KEY(bucket, event_type, department));
CREATE TABLE IF NOT EXISTS rollup_hour_brand(bucket TEXT, brand TEXT, event_type TEXT,
  events INTEGER NOT NULL, revenue REAL NOT NULL, PRIMARY KEY(bucket, brand, event_type));
CREATE TABLE IF NOT EXISTS rollup_hour_product(bucket TEXT, department TEXT, product TEXT,
  event_type TEXT, events INTEGER NOT NULL, revenue REAL NOT NULL,
  PRIMARY KEY(bucket, department, product, event_type));
CREATE TABLE IF NOT EXISTS rollup_hour(bucket TEXT, event_type TEXT, department TEXT,
  events INTEGER NOT NULL, revenue REAL NOT NULL, PRIMARY KEY(bucket, event_type, department));
CREATE TABLE IF NOT EXISTS rollup_day(bucket TEXT, event_type TEXT, department TEXT,
  events INTEGER NOT NULL, revenue REAL NOT NULL, PRIMARY KEY(bucket, event_type, department));
CREATE TABLE IF NOT EXISTS rollup_brand(brand TEXT, event_type TEXT, events INTEGER NOT NULL,
  revenue REAL NOT NULL, PRIMARY KEY(brand, event_type));
CREATE TABLE IF NOT EXISTS rollup_product(department TEXT, product TEXT, event_type TEXT,
  events INTEGER NOT NULL, revenue REAL NOT NULL, PRIMARY KEY(department, product, event_type));
CREATE TABLE IF NOT EXISTS stream_offsets(stream TEXT, partition INTEGER,
  next_offset INTEGER NOT NULL, PRIMARY KEY(stream, partition));
CREATE TABLE IF NOT EXISTS dead_letters(stream TEXT, partition INTEGER, offset INTEGER,
  reason TEXT NOT NULL, payload BLOB, recorded_at TEXT NOT NULL,
  PRIMARY KEY(stream, partition, offset));
CREATE TABLE IF NOT EXISTS processor_stats(stream TEXT PRIMARY KEY, batches INTEGER NOT NULL,
  events INTEGER NOT NULL, dead_letters INTEGER NOT NULL, last_batch_ms REAL, lag INTEGER,
  updated_at TEXT NOT NULL);
)sql";

std::string UtcNow() {
  std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[24];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
  return buf;
}

class SqliteProcessedStore : public ProcessedStore {
 public:
  explicit SqliteProcessedStore(std::unique_ptr<Database> db) : db_(std::move(db)) {}

  Status Init() override {
    if (Status s = db_->BeginImmediate(); !s.ok()) return s;
    Status created = CreateSchema();
    if (created.ok()) created = db_->Commit();
    if (!created.ok()) {
      db_->Rollback();
      return created;
    }
    const std::pair<Statement*, const char*> statements[] = {
        {&insert_row_,
         "INSERT INTO operations(id, event_time, event_type, department, product, brand, price,"
         " revenue) VALUES(?,?,?,?,?,?,?,?) ON CONFLICT(id) DO NOTHING"},
        {&minute_,
         "INSERT INTO rollup_minute VALUES(?,?,?,?,?) ON CONFLICT DO UPDATE SET"
         " events = events + excluded.events, revenue = revenue + excluded.revenue"},
        {&brand_,
         "INSERT INTO rollup_hour_brand VALUES(?,?,?,?,?) ON CONFLICT DO UPDATE SET"
         " events = events + excluded.events, revenue = revenue + excluded.revenue"},
        {&product_,
         "INSERT INTO rollup_hour_product VALUES(?,?,?,?,?,?) ON CONFLICT DO UPDATE SET"
         " events = events + excluded.events, revenue = revenue + excluded.revenue"},
        {&hour_,
         "INSERT INTO rollup_hour VALUES(?,?,?,?,?) ON CONFLICT DO UPDATE SET"
         " events = events + excluded.events, revenue = revenue + excluded.revenue"},
        {&day_,
         "INSERT INTO rollup_day VALUES(?,?,?,?,?) ON CONFLICT DO UPDATE SET"
         " events = events + excluded.events, revenue = revenue + excluded.revenue"},
        {&all_brand_,
         "INSERT INTO rollup_brand VALUES(?,?,?,?) ON CONFLICT DO UPDATE SET"
         " events = events + excluded.events, revenue = revenue + excluded.revenue"},
        {&all_product_,
         "INSERT INTO rollup_product VALUES(?,?,?,?,?) ON CONFLICT DO UPDATE SET"
         " events = events + excluded.events, revenue = revenue + excluded.revenue"},
        {&dead_, "INSERT INTO dead_letters VALUES(?,?,?,?,?,?) ON CONFLICT DO NOTHING"},
        {&offset_,
         "INSERT INTO stream_offsets VALUES(?,?,?) ON CONFLICT DO UPDATE SET"
         " next_offset = max(next_offset, excluded.next_offset)"},
        {&stats_,
         "INSERT INTO processor_stats VALUES(?, 1, ?, ?, ?, ?, ?) ON CONFLICT DO UPDATE SET"
         " batches = batches + 1, events = events + excluded.events,"
         " dead_letters = dead_letters + excluded.dead_letters,"
         " last_batch_ms = excluded.last_batch_ms, lag = excluded.lag,"
         " updated_at = excluded.updated_at"},
        {&load_offsets_, "SELECT partition, next_offset FROM stream_offsets WHERE stream = ?"},
    };
    for (const auto& [stmt, sql] : statements) {
      auto prepared = db_->Prepare(sql);
      if (!prepared.ok()) return prepared.status();
      *stmt = std::move(prepared).value();
    }
    return Status::Ok();
  }

  Status Commit(const ProcessedBatch& batch) override {
    if (Status s = db_->BeginImmediate(); !s.ok()) return s;
    Status s = WriteAll(batch);
    if (s.ok()) s = db_->Commit();
    if (!s.ok()) db_->Rollback();
    return s;
  }

  Result<OffsetMap> LoadOffsets(const std::string& stream,
                                const std::vector<int32_t>& partitions) override {
    OffsetMap out;
    load_offsets_.Bind(1, std::string_view(stream));
    while (true) {
      auto row = load_offsets_.Step();
      if (!row.ok()) {
        load_offsets_.Reset();
        return row.status();
      }
      if (!row.value()) break;
      int32_t partition = static_cast<int32_t>(load_offsets_.ColumnInt(0));
      if (partitions.empty() ||
          std::find(partitions.begin(), partitions.end(), partition) != partitions.end()) {
        out[partition] = load_offsets_.ColumnInt(1);
      }
    }
    load_offsets_.Reset();
    return out;
  }

 private:
  // The tables, in the transaction Init holds; coarse rollups new to this store are filled from
  // the fine ones.
  Status CreateSchema() {
    auto exists = db_->Prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?");
    if (!exists.ok()) return exists.status();
    std::vector<const CoarseRollupBackfill*> missing;
    for (const CoarseRollupBackfill& backfill : kCoarseRollupBackfills) {
      exists->Bind(1, std::string_view(backfill.table));
      auto found = exists->Step();
      exists->Reset();
      if (!found.ok()) return found.status();
      if (!*found) missing.push_back(&backfill);
    }
    if (Status s = db_->Exec(kSchema); !s.ok()) return s;
    for (const CoarseRollupBackfill* backfill : missing) {
      if (Status s = db_->Exec(backfill->insert_sql); !s.ok()) return s;
    }
    return Status::Ok();
  }

  Status WriteAll(const ProcessedBatch& batch) {
    RollupDelta delta;
    int64_t inserted = 0;
    for (const CleanedEvent& row : batch.rows) {
      insert_row_.Bind(1, std::string_view(row.id));
      insert_row_.Bind(2, std::string_view(row.event_time));
      insert_row_.Bind(3, std::string_view(row.event_type));
      insert_row_.Bind(4, std::string_view(row.department));
      insert_row_.Bind(5, std::string_view(row.product));
      insert_row_.Bind(6, std::string_view(row.brand));
      insert_row_.Bind(7, row.price);
      insert_row_.Bind(8, row.revenue);
      if (Status s = insert_row_.Run(); !s.ok()) return s;
      if (db_->Changes() == 1) {  // a new id: count it in the rollups exactly once
        delta.Add(row);
        ++inserted;
      }
    }
    if (Status s = WriteRollups(delta); !s.ok()) return s;
    const std::string now = UtcNow();
    for (const DeadLetter& d : batch.dead_letters) {
      dead_.Bind(1, std::string_view(batch.stream));
      dead_.Bind(2, static_cast<int64_t>(d.partition));
      dead_.Bind(3, d.offset);
      dead_.Bind(4, std::string_view(d.reason));
      dead_.BindBlob(5, d.payload);
      dead_.Bind(6, std::string_view(now));
      if (Status s = dead_.Run(); !s.ok()) return s;
    }
    for (const auto& [partition, next] : batch.next_offsets) {
      offset_.Bind(1, std::string_view(batch.stream));
      offset_.Bind(2, static_cast<int64_t>(partition));
      offset_.Bind(3, next);
      if (Status s = offset_.Run(); !s.ok()) return s;
    }
    stats_.Bind(1, std::string_view(batch.stream));
    stats_.Bind(2, inserted);
    stats_.Bind(3, static_cast<int64_t>(batch.dead_letters.size()));
    stats_.Bind(4, batch.batch_millis);
    stats_.Bind(5, batch.lag);
    stats_.Bind(6, std::string_view(now));
    return stats_.Run();
  }

  // Adds each key's totals to its row: the key's texts, then events and revenue.
  template <typename Key>
  static Status AddTotals(Statement& st, const std::map<Key, Totals>& deltas) {
    for (const auto& [key, t] : deltas) {
      int index = 0;
      std::apply([&](const auto&... text) { (st.Bind(++index, std::string_view(text)), ...); },
                 key);
      st.Bind(index + 1, t.events);
      st.Bind(index + 2, t.revenue);
      if (Status s = st.Run(); !s.ok()) return s;
    }
    return Status::Ok();
  }

  Status WriteRollups(const RollupDelta& delta) {
    const CoarseRollupDelta coarse = Coarsen(delta);
    Status s = AddTotals(minute_, delta.by_minute);
    if (s.ok()) s = AddTotals(brand_, delta.by_hour_brand);
    if (s.ok()) s = AddTotals(product_, delta.by_hour_product);
    if (s.ok()) s = AddTotals(hour_, coarse.by_hour);
    if (s.ok()) s = AddTotals(day_, coarse.by_day);
    if (s.ok()) s = AddTotals(all_brand_, coarse.by_brand);
    if (s.ok()) s = AddTotals(all_product_, coarse.by_product);
    return s;
  }

  std::unique_ptr<Database> db_;
  Statement insert_row_, minute_, brand_, product_, hour_, day_, all_brand_, all_product_, dead_,
      offset_, stats_, load_offsets_;
};

}  // namespace

Result<std::unique_ptr<ProcessedStore>> OpenSqliteProcessedStore(const std::string& path) {
  auto db = Database::Open(path, Database::Mode::kReadWriteCreate);
  if (!db.ok()) return db.status();
  return std::unique_ptr<ProcessedStore>(new SqliteProcessedStore(std::move(db).value()));
}

}  // namespace shopstream
