#include "sql/sql_processed_store.h"

#include <algorithm>
#include <chrono>
#include <ctime>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string_view>
#include <utility>
#include <vector>

#include "common/utf8.h"
#include "event/contract.h"
#include "sql/adoption.h"
#include "sql/batch_counts.h"
#include "sql/chunked_statement.h"
#include "sql/dead_letter_upgrade.h"
#include "sql/funnel_tables.h"
#include "sql/funnel_upgrade.h"
#include "sql/funnel_writer.h"
#include "sql/indexes.h"
#include "sql/owned_tables.h"
#include "sql/people_write_back.h"
#include "sql/people_writer.h"
#include "sql/schema.h"
#include "sql/values.h"

namespace shopstream::sql {
namespace {

std::string UtcNow() {
  std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[24];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
  return buf;
}

// "INSERT INTO t(a, b, c) VALUES " for every column of `table`.
std::string InsertHead(const Table& table, const Dialect& d) {
  std::string sql = "INSERT INTO " + d.Quote(table.name) + "(";
  for (size_t i = 0; i < table.columns.size(); ++i) {
    if (i > 0) sql += ", ";
    sql += d.Quote(table.columns[i].name);
  }
  return sql + ") VALUES ";
}

// People sketches are held in memory and written back every options_.people_interval (and when
// the stream is quiet, and before stopping), or once they hold this many rows or this many bytes
// (what bounds the processor's memory: a backlog's sketches grow dense fast). At 4 MiB a backlog's
// write-back carries a few batches' brand rows; 2 MiB took 7 % longer for 1.9 MiB less at the
// peak (docs/BENCHMARKS.md).
constexpr size_t kMaxHeldPeopleRows = 50000;
constexpr size_t kMaxHeldPeopleBytes = size_t{4} << 20;

// Every statement of a commit, written in the database's dialect once it is known.
struct Statements {
  std::vector<ChunkedStatement> rollups;  // one per Rollups() entry
  ChunkedStatement dead_letters, offsets, reset_offsets, stats, replay_stats, load_offsets,
      stream_id, load_stream_id;
  // people_offsets: made at a partition's first offset (never moved by it), moved forward by a
  // write-back, replaced by a reset; read by LoadOffsets.
  ChunkedStatement people_first, people_offsets, people_reset, load_people_offsets;
  std::unique_ptr<PeopleWriter> people;
  std::unique_ptr<FunnelWriter> funnel;

  void Reset() {
    for (ChunkedStatement* s :
         {&dead_letters, &offsets, &reset_offsets, &stats, &replay_stats, &load_offsets, &stream_id,
          &load_stream_id, &people_first, &people_offsets, &people_reset, &load_people_offsets}) {
      s->Reset();
    }
    for (ChunkedStatement& s : rollups) s.Reset();
    people->Reset();
    funnel->Reset();
  }
};

Statements MakeStatements(const Dialect& d, const OwnedTables& owned) {
  const size_t rows = d.max_rows_per_statement();
  Statements s;
  for (const Rollup& rollup : Rollups()) {
    const Table t = owned.Of(rollup.table);
    // Every column past the key is a sum: events and revenue, and a wide rollup's counts.
    std::vector<ColumnUpdate> add;
    for (size_t c = t.key.size(); c < t.columns.size(); ++c) {
      add.push_back({t.columns[c].name, OnConflict::kAdd});
    }
    s.rollups.emplace_back(InsertHead(t, d), t.columns.size(), true,
                           d.OnConflictClause(t.name, t.key, add),
                           "adding to " + std::string(t.name), rows);
  }
  const Table dead = owned.Of(DeadLettersTable());
  s.dead_letters =
      ChunkedStatement(InsertHead(dead, d), dead.columns.size(), true,
                       d.OnConflictClause(dead.name, dead.key, {}), "storing dead letters", rows);
  const Table offsets = owned.Of(OffsetsTable());
  const ColumnUpdate max[] = {{"next_offset", OnConflict::kMax}};
  s.offsets =
      ChunkedStatement(InsertHead(offsets, d), offsets.columns.size(), true,
                       d.OnConflictClause(offsets.name, offsets.key, max), "storing offsets", rows);
  const ColumnUpdate replace[] = {{"next_offset", OnConflict::kReplace}};
  s.reset_offsets = ChunkedStatement(InsertHead(offsets, d), offsets.columns.size(), true,
                                     d.OnConflictClause(offsets.name, offsets.key, replace),
                                     "resetting offsets", rows);
  const Table stats = owned.Of(StatsTable());
  const ColumnUpdate counters[] = {
      {"batches", OnConflict::kAdd},      {"events", OnConflict::kAdd},
      {"dead_letters", OnConflict::kAdd}, {"last_batch_ms", OnConflict::kReplace},
      {"lag", OnConflict::kReplace},      {"updated_at", OnConflict::kReplace}};
  s.stats = ChunkedStatement(InsertHead(stats, d), stats.columns.size(), true,
                             d.OnConflictClause(stats.name, stats.key, counters),
                             "updating " + std::string(stats.name), 1);
  // A replay adds its new rows to `events` and leaves the rest as `process` last wrote it.
  const ColumnUpdate replayed_events[] = {{"events", OnConflict::kAdd}};
  s.replay_stats = ChunkedStatement(InsertHead(stats, d), stats.columns.size(), true,
                                    d.OnConflictClause(stats.name, stats.key, replayed_events),
                                    "counting replayed rows in " + std::string(stats.name), 1);
  s.load_offsets = ChunkedStatement("SELECT " + d.Quote("partition") + ", next_offset FROM " +
                                        d.Quote(offsets.name) + " WHERE stream IN (",
                                    1, false, ")", "loading offsets", 1);
  const Table people = owned.Of(PeopleOffsetsTable());
  s.people_first = ChunkedStatement(InsertHead(people, d), people.columns.size(), true,
                                    d.OnConflictClause(people.name, people.key, {}),
                                    "storing where people start", rows);
  s.people_offsets = ChunkedStatement(InsertHead(people, d), people.columns.size(), true,
                                      d.OnConflictClause(people.name, people.key, max),
                                      "storing people offsets", rows);
  s.people_reset = ChunkedStatement(InsertHead(people, d), people.columns.size(), true,
                                    d.OnConflictClause(people.name, people.key, replace),
                                    "resetting people offsets", rows);
  s.load_people_offsets =
      ChunkedStatement("SELECT " + d.Quote("partition") + ", next_offset FROM " +
                           d.Quote(people.name) + " WHERE stream IN (",
                       1, false, ")", "loading people offsets", 1);
  const Table ids = owned.Of(StreamIdsTable());
  const ColumnUpdate new_id[] = {{"id", OnConflict::kReplace}};
  s.stream_id =
      ChunkedStatement(InsertHead(ids, d), ids.columns.size(), true,
                       d.OnConflictClause(ids.name, ids.key, new_id), "storing the stream's id", 1);
  s.load_stream_id = ChunkedStatement("SELECT id FROM " + d.Quote(ids.name) + " WHERE stream IN (",
                                      1, false, ")", "loading the stream's id", 1);
  s.people = std::make_unique<PeopleWriter>(d, owned);
  s.funnel = std::make_unique<FunnelWriter>(d, owned);
  return s;
}

class SqlProcessedStore final : public store::ProcessedStore {
 public:
  SqlProcessedStore(std::unique_ptr<SqlDatabase> db, SqlProcessedStoreOptions options)
      : db_(std::move(db)), options_(options) {}
  ~SqlProcessedStore() override { Disconnect(); }

  Status Init() override {
    if (Status s = Connect(); !s.ok()) return s;
    Status s = InTransaction([&] { return CreateTables(); });
    const std::string unlock = db_->dialect().SchemaUnlock();
    if (!unlock.empty() && conn_ && conn_->healthy()) {
      if (Status u = conn_->Exec(unlock, "releasing the schema lock"); s.ok()) s = Done(u);
    }
    return s;
  }

  // The batch's rows, rollups, dead letters and offsets in one transaction; its people join the
  // sketches held in memory once it committed. Every few seconds the sketches held so far (those
  // of earlier batches) start a write-back, which the following transactions carry a piece at a
  // time (options_.people_piece each), the last piece with how far they reach.
  using store::ProcessedStore::Commit;
  Status Commit(const store::ProcessedBatch& batch, store::CommitCounts* counts) override {
    if (Status s = CheckStreamName(batch.stream); !s.ok()) return s;
    for (const CleanedEvent& row : batch.rows) {
      if (Status s = CheckRow(row); !s.ok()) return s;
    }
    if (Status s = Connect(); !s.ok()) return s;
    if (!writing_ && PeopleWriteBackDue()) StartWriteBack();
    // Held sketches past their bound while a write-back is under way (a backlog): the
    // write-back is finished now, so that memory stays bounded.
    std::optional<Clock::time_point> until;
    if (!HeldOverBound()) until = Clock::now() + options_.people_piece;
    PeopleWriteBack::Position at;
    PeopleDelta people;
    int64_t new_rows = 0;
    Status s = InTransaction([&] {
      if (writing_) {
        at = writing_->position();
        if (Status w = WritePeoplePiece(&at, until); !w.ok()) return w;
      }
      if (Status w = WriteAll(batch, &people, &new_rows); !w.ok()) return w;
      // A dead-letter replay moves no offset, so no people offset could say its people are
      // still to be written: they go in its own transaction (a rerun finds its rows stored).
      if (batch.replayed.empty() || people.empty()) return Status::Ok();
      HeldPeople replayed;
      replayed.Add(std::move(people));
      people = {};
      return statements_->people->Write(*conn_, Spread(replayed));
    });
    if (!s.ok()) return s;
    if (writing_) PiecesCommitted(at);
    if (writing_ && !batch.reset_offsets.empty()) {
      writing_->ForgetOffsets(batch.stream, batch.reset_offsets);
    }
    HoldPeople(batch, std::move(people));
    if (counts) counts->new_rows = new_rows;
    return s;
  }

  // The write-back under way finished, then one of what is held since, each in a transaction.
  Status Flush() override {
    for (int round = 0; round < 2; ++round) {
      if (Status s = WriteBackAlone(std::nullopt); !s.ok()) return s;
    }
    return Status::Ok();
  }

  Result<bool> FlushPiece() override {
    if (Status s = WriteBackAlone(Clock::now() + options_.people_piece); !s.ok()) return s;
    return !writing_ && held_people_.empty() && dirty_people_offsets_.empty();
  }

  // The offsets of record, or the people offsets where they are behind: the messages between
  // are read again, their rows are stored already (and not counted again) and their people
  // merge into what is stored without changing what was counted.
  Result<OffsetMap> LoadOffsets(const std::string& stream,
                                const std::vector<int32_t>& partitions) override {
    // What this processor holds first, so that it need not read it again.
    if (Status s = Flush(); !s.ok()) return s;
    if (Status s = Connect(); !s.ok()) return s;
    auto stored = StoredOffsets(stream, statements_->load_offsets);
    if (!stored.ok()) return Done(stored.status());
    auto people = StoredOffsets(stream, statements_->load_people_offsets);
    if (!people.ok()) return Done(people.status());
    OffsetMap out;
    OffsetMap& replay = replay_until_[stream];
    for (const auto& [partition, next] : *stored) {
      if (!partitions.empty() &&
          std::find(partitions.begin(), partitions.end(), partition) == partitions.end()) {
        continue;
      }
      out[partition] = next;
      const auto p = people->find(partition);
      if (p != people->end() && p->second < next) {
        out[partition] = p->second;
        replay[partition] = next;
      }
    }
    return out;
  }

  // One read of rollup_10s's key from `first_bucket` to `end_bucket` (the alert stage's window
  // and baseline: an hour is at most 360 buckets of three rows).
  Result<std::vector<store::TenSecondCounts>> ReadTenSecondCounts(
      const std::string& first_bucket, const std::string& end_bucket) override {
    auto rows =
        ReadRange("bucket, event_type, events, revenue", "rollup_10s", first_bucket, end_bucket);
    if (!rows.ok()) return rows.status();
    std::vector<store::TenSecondCounts> out;
    out.reserve(rows->size());
    for (const SqlRow& row : *rows) {
      out.push_back({row.at(0).value_or(""), row.at(1).value_or(""),
                     std::stoll(row.at(2).value_or("0")), std::stod(row.at(3).value_or("0"))});
    }
    return out;
  }

  // One read of rollup_minute's key (bucket first) for the departments' alert rules.
  Result<std::vector<store::DepartmentMinuteCounts>> ReadDepartmentMinutes(
      const std::string& first_bucket, const std::string& end_bucket) override {
    auto rows = ReadRange("bucket, department, event_type, events, revenue", "rollup_minute",
                          first_bucket, end_bucket);
    if (!rows.ok()) return rows.status();
    std::vector<store::DepartmentMinuteCounts> out;
    out.reserve(rows->size());
    for (const SqlRow& row : *rows) {
      out.push_back({row.at(0).value_or(""), row.at(1).value_or(""), row.at(2).value_or(""),
                     std::stoll(row.at(3).value_or("0")), std::stod(row.at(4).value_or("0"))});
    }
    return out;
  }

  // Each rule's rows at its latest stream time (the table holds a row per change: small).
  Result<std::vector<store::AlertRecord>> LoadLatestAlerts() override {
    if (Status s = Connect(); !s.ok()) return s;
    const Dialect& d = db_->dialect();
    const std::string table = d.Quote(tables_->Name("alerts"));
    auto read =
        conn_->Prepare("SELECT rule, state, stream_time, metric, value, threshold, baseline FROM " +
                           table + " a WHERE stream_time = (SELECT MAX(stream_time) FROM " + table +
                           " b WHERE b.rule = a.rule) ORDER BY rule, state",
                       "reading alerts");
    if (!read.ok()) return Done(read.status());
    auto rows = (*read)->Query({});
    if (!rows.ok()) return Done(rows.status());
    std::vector<store::AlertRecord> out;
    for (const SqlRow& row : *rows) {
      out.push_back({row.at(0).value_or(""), row.at(1).value_or(""), row.at(2).value_or(""),
                     row.at(3).value_or(""), std::stod(row.at(4).value_or("0")),
                     std::stod(row.at(5).value_or("0")), std::stod(row.at(6).value_or("0"))});
    }
    return out;
  }

  // Each change once (the key is rule, stream time and state), in a transaction of its own.
  Status RecordAlerts(const std::vector<store::AlertRecord>& changes) override {
    if (changes.empty()) return Status::Ok();
    if (Status s = Connect(); !s.ok()) return s;
    const Dialect& d = db_->dialect();
    const Table alerts = tables_->Of(AlertsTable());
    std::string sql = InsertHead(alerts, d) + "(";
    for (size_t i = 0; i < alerts.columns.size(); ++i) {
      sql += (i ? ", " : "") + d.Placeholder(i);
    }
    sql += ")" + d.OnConflictClause(alerts.name, alerts.key, {});
    const std::string now = UtcNow();
    return InTransaction([&]() -> Status {
      auto insert = conn_->Prepare(sql, "recording alerts");
      if (!insert.ok()) return insert.status();
      for (const store::AlertRecord& a : changes) {
        const SqlValue values[] = {std::string_view(a.rule),
                                   std::string_view(a.at),
                                   std::string_view(a.state),
                                   std::string_view(a.metric),
                                   a.value,
                                   a.threshold,
                                   a.baseline,
                                   std::string_view(now)};
        if (Status s = (*insert)->Execute(values); !s.ok()) return s;
      }
      return Status::Ok();
    });
  }

  Result<std::string> LoadStreamId(const std::string& stream) override {
    if (Status s = Connect(); !s.ok()) return s;
    const SqlValue key = std::string_view(stream);
    auto rows = statements_->load_stream_id.Query(*conn_, db_->dialect(), {&key, 1});
    if (!rows.ok()) return Done(rows.status());
    if (rows->empty()) return std::string();
    return rows->front().at(0).value_or("");
  }

 private:
  using Clock = std::chrono::steady_clock;

  // `columns` of a rollup keyed by bucket first, from `first` to `end` ("" for no end).
  Result<std::vector<SqlRow>> ReadRange(const std::string& columns, std::string_view rollup,
                                        const std::string& first, const std::string& end) {
    if (Status s = Connect(); !s.ok()) return s;
    const Dialect& d = db_->dialect();
    std::string sql = "SELECT " + columns + " FROM " + d.Quote(tables_->Name(rollup)) +
                      " WHERE bucket >= " + d.Placeholder(0);
    if (!end.empty()) sql += " AND bucket < " + d.Placeholder(1);
    auto read = conn_->Prepare(sql, "reading " + std::string(rollup));
    if (!read.ok()) return Done(read.status());
    const SqlValue bounds[] = {std::string_view(first), std::string_view(end)};
    auto rows = (*read)->Query({bounds, end.empty() ? size_t{1} : size_t{2}});
    if (!rows.ok()) return Done(rows.status());
    return std::move(rows).value();
  }

  bool HeldOverBound() const {
    return held_people_.rows() >= kMaxHeldPeopleRows || held_bytes_ >= kMaxHeldPeopleBytes;
  }

  bool PeopleWriteBackDue() const {
    if (held_people_.empty() && dirty_people_offsets_.empty()) return false;
    return HeldOverBound() || Clock::now() - held_since_ >= options_.people_interval;
  }

  // What is held becomes the write-back under way; the next batches' people are held anew.
  void StartWriteBack() {
    writing_.emplace(std::exchange(held_people_, {}), std::exchange(dirty_people_offsets_, {}),
                     std::exchange(people_resets_, {}));
    held_bytes_ = 0;
    held_since_ = Clock::now();
  }

  // In a transaction of its own, without a batch: the write-back under way (or one of what is
  // held, started now), until `until` (none: all of it).
  Status WriteBackAlone(std::optional<Clock::time_point> until) {
    if (!writing_) {
      if (held_people_.empty() && dirty_people_offsets_.empty()) return Status::Ok();
      StartWriteBack();
    }
    if (Status s = Connect(); !s.ok()) return s;
    PeopleWriteBack::Position at = writing_->position();
    Status s = InTransaction([&] { return WritePeoplePiece(&at, until); });
    if (!s.ok()) return s;
    PiecesCommitted(at);
    return Status::Ok();
  }

  // In the open transaction: a piece of the write-back under way (`*at` on, until `until`) and,
  // with its last piece, the people offsets moved to where it reaches (replaced where a reset
  // moved them back).
  Status WritePeoplePiece(PeopleWriteBack::Position* at, std::optional<Clock::time_point> until) {
    if (Status s = writing_->WriteTables(*conn_, *statements_->people, at, until); !s.ok()) {
      return s;
    }
    if (!PeopleWriteBack::TablesDone(*at)) return Status::Ok();
    const Dialect& d = db_->dialect();
    std::vector<SqlValue> forward, reset;
    for (const auto& [stream, partitions] : writing_->offsets()) {
      const auto resets = writing_->resets().find(stream);
      for (const auto& [partition, next] : partitions) {
        const bool replaced =
            resets != writing_->resets().end() && resets->second.contains(partition);
        auto& values = replaced ? reset : forward;
        values.insert(values.end(), {std::string_view(stream), int64_t{partition}, next});
      }
    }
    if (Status s = statements_->people_reset.Execute(*conn_, d, reset); !s.ok()) return s;
    return statements_->people_offsets.Execute(*conn_, d, forward);
  }

  // After the transaction that wrote up to `at` committed.
  void PiecesCommitted(PeopleWriteBack::Position at) {
    if (PeopleWriteBack::TablesDone(at)) {
      writing_.reset();
    } else {
      writing_->Advance(at);
    }
  }

  // After `batch` committed: its people join the held sketches, and its offsets the ones a
  // write-back will store.
  void HoldPeople(const store::ProcessedBatch& batch, PeopleDelta people) {
    if (held_people_.empty() && dirty_people_offsets_.empty()) held_since_ = Clock::now();
    held_people_.Add(std::move(people));
    held_bytes_ = held_people_.heap_bytes();
    OffsetMap& dirty = dirty_people_offsets_[batch.stream];
    for (const auto& [partition, next] : batch.reset_offsets) {
      dirty[partition] = next;  // replaced, not moved forward from what came before the reset
      people_resets_[batch.stream].insert(partition);
    }
    for (const auto& [partition, next] : batch.next_offsets) {
      auto& held = dirty[partition];
      held = std::max(held, next);
    }
    if (dirty.empty()) dirty_people_offsets_.erase(batch.stream);
    // A replay is over for the partitions it has passed.
    auto replay = replay_until_.find(batch.stream);
    if (replay == replay_until_.end()) return;
    for (const auto& [partition, next] : batch.next_offsets) {
      auto it = replay->second.find(partition);
      if (it != replay->second.end() && next >= it->second) replay->second.erase(it);
    }
    if (replay->second.empty()) replay_until_.erase(replay);
  }

  Result<OffsetMap> StoredOffsets(const std::string& stream, ChunkedStatement& load) {
    const SqlValue key = std::string_view(stream);
    auto rows = load.Query(*conn_, db_->dialect(), {&key, 1});
    if (!rows.ok()) return rows.status();
    OffsetMap out;
    for (const SqlRow& row : rows.value()) {
      out[static_cast<int32_t>(std::stol(row.at(0).value_or("0")))] =
          std::stoll(row.at(1).value_or("0"));
    }
    return out;
  }

  // Runs `body` between BEGIN and COMMIT; on failure rolls back and reports the first error.
  template <typename Body>
  Status InTransaction(Body&& body) {
    if (Status s = conn_->Exec(db_->dialect().BeginTransaction(), "starting a transaction");
        !s.ok()) {
      return Done(s);
    }
    Status s = body();
    if (s.ok()) s = conn_->Exec("COMMIT", "committing");
    if (!s.ok() && conn_->healthy()) conn_->Exec("ROLLBACK", "rolling back");
    return Done(s);
  }

  // Adopts an older layout's side tables, then creates what is missing: the side tables first
  // (stream_offsets first of all, see adoption.h) and the rows table last, so that a rows table
  // that exists has its own side tables even where each DDL statement commits (MariaDB).
  Status CreateTables() {
    const Dialect& d = db_->dialect();
    const OwnedTables& owned = *tables_;
    if (!d.SchemaLock().empty()) {
      if (Status s = conn_->Exec(d.SchemaLock(), "waiting for other processors' DDL"); !s.ok()) {
        return s;
      }
    }
    if (Status s = AdoptSharedTables(*conn_, d, owned, db_->describe()); !s.ok()) return s;
    // Coarse rollups new to this store are filled from the finer ones, in the same transaction
    // as the tables (where the database has transactional DDL).
    std::vector<const Rollup*> missing;
    std::vector<std::string> retired_found;  // dropped once their successors are filled
    bool people_offsets_missing = false;
    {
      auto exists = conn_->Prepare(d.TableExistsQuery(), "looking up existing tables");
      if (!exists.ok()) return exists.status();
      auto exists_named = [&](const std::string& table) -> Result<bool> {
        const SqlValue name = std::string_view(table);
        auto rows = (*exists)->Query({&name, 1});
        if (!rows.ok()) return rows.status();
        return !rows->empty() && rows->front().at(0).value_or("0") != "0";
      };
      auto found = [&](std::string_view table) { return exists_named(owned.Name(table)); };
      // A rollup is filled when it is new, or empty beside stored rows: a database without
      // transactional DDL (MariaDB) keeps a table whose filling a stop cut short.
      auto has_rows = [&](const std::string& table) -> Result<bool> {
        auto rows =
            conn_->Prepare("SELECT 1 FROM " + d.Quote(table) + " LIMIT 1", "looking into " + table);
        if (!rows.ok()) return rows.status();
        auto found_rows = (*rows)->Query({});
        if (!found_rows.ok()) return found_rows.status();
        return !found_rows->empty();
      };
      std::optional<bool> rows_stored;
      for (const Rollup& rollup : Rollups()) {
        if (rollup.backfill_sql.empty()) continue;
        auto there = found(rollup.table.name);
        if (!there.ok()) return there.status();
        bool fill = !*there;
        if (*there) {
          auto filled = has_rows(owned.Name(rollup.table.name));
          if (!filled.ok()) return filled.status();
          if (!*filled && !rows_stored) {
            auto rows_there = exists_named(owned.rows());
            if (!rows_there.ok()) return rows_there.status();
            auto stored = *rows_there ? has_rows(owned.rows()) : Result<bool>(false);
            if (!stored.ok()) return stored.status();
            rows_stored = *stored;
          }
          fill = !*filled && *rows_stored;
        }
        if (fill) missing.push_back(&rollup);
      }
      // Only a retired table that is there is dropped: a DROP on every start would be a
      // cluster-wide schema change under Galera each time a processor starts.
      for (std::string_view retired : kRetiredRollups) {
        auto there = exists_named(owned.RetiredName(retired));
        if (!there.ok()) return there.status();
        if (*there) retired_found.push_back(owned.RetiredName(retired));
      }
      auto there = found(PeopleOffsetsTable().name);
      if (!there.ok()) return there.status();
      people_offsets_missing = !*there;
    }
    std::vector<Table> tables = {owned.Of(OffsetsTable())};
    for (const Rollup& rollup : Rollups()) tables.push_back(owned.Of(rollup.table));
    for (const Table& t : PeopleTables()) tables.push_back(owned.Of(t));
    tables.push_back(owned.Of(PeopleOffsetsTable()));
    for (const Table& t : FunnelTables()) tables.push_back(owned.Of(t));
    for (const Table* t : {&DeadLettersTable(), &StatsTable(), &AlertsTable(), &StreamIdsTable()}) {
      tables.push_back(owned.Of(*t));
    }
    tables.push_back(RowsTable(owned.rows()));
    for (const Table& t : tables) {
      if (Status s = conn_->Exec(CreateTableSql(t, d.Quote(t.name), d, conn_->ServerTableOptions()),
                                 "creating " + std::string(t.name));
          !s.ok()) {
        return s;
      }
    }
    if (Status s = CreateMissingIndexes(*conn_, d, owned); !s.ok()) return s;
    if (Status s = MoveLegacyFunnelStates(*conn_, d, owned); !s.ok()) return s;
    if (Status s = UpgradeDeadLetters(*conn_, d, owned.Name(DeadLettersTable().name)); !s.ok()) {
      return s;
    }
    for (const Rollup* rollup : missing) {
      if (Status s = conn_->ExecLong(
              BackfillSql(*rollup, d, owned),
              "filling " + owned.Name(rollup->table.name) + " from what the store has");
          !s.ok()) {
        return s;
      }
    }
    for (const std::string& name : retired_found) {
      if (Status s = conn_->Exec("DROP TABLE IF EXISTS " + d.Quote(name), "dropping " + name);
          !s.ok()) {
        return s;
      }
    }
    if (people_offsets_missing) {
      // A store from before people were written back apart from the batches wrote them in each
      // batch's transaction: they reach as far as the offsets of record.
      const std::string columns = "stream, " + d.Quote("partition") + ", next_offset";
      if (Status s = conn_->Exec("INSERT INTO " + d.Quote(owned.Name(PeopleOffsetsTable().name)) +
                                     "(" + columns + ") SELECT " + columns + " FROM " +
                                     d.Quote(owned.Name(OffsetsTable().name)),
                                 "filling people_offsets from stream_offsets");
          !s.ok()) {
        return s;
      }
    }
    return Status::Ok();
  }

  // The batch's rows, rollups, dead letters, offsets and stats; its people into `people`.
  Status WriteAll(const store::ProcessedBatch& batch, PeopleDelta* people, int64_t* new_rows) {
    const Dialect& d = db_->dialect();
    // Each id counts once: the first of its occurrences in the batch, if it is not stored yet.
    const std::vector<const CleanedEvent*>& unique = FirstOfEachId(batch.rows);
    auto fresh = unique.empty() ? Result<std::vector<const CleanedEvent*>>(unique)
                                : conn_->InsertNewRows(unique);
    if (!fresh.ok()) return fresh.status();
    *new_rows = static_cast<int64_t>(fresh->size());
    RollupDelta delta;
    CrossFilterDelta cross;
    for (const CleanedEvent* row : *fresh) {
      delta.Add(*row);
      cross.Add(*row);
    }
    // People count the new rows; while the stream is read again from the people offsets, the
    // rows stored before a crash too (a union: those counted already change nothing).
    for (const CleanedEvent* row : replay_until_.contains(batch.stream) ? unique : *fresh) {
      people->Add(*row);
    }
    // The values below point into the deltas.
    const CoarseRollupDelta coarse = Coarsen(delta);
    const CoarseCrossFilterDelta cross_coarse = Coarsen(cross);
    for (size_t i = 0; i < statements_->rollups.size(); ++i) {
      RollupValuesOf(i, delta, coarse, cross, cross_coarse, &rollup_values_);
      if (Status s = statements_->rollups[i].Execute(*conn_, d, rollup_values_); !s.ok()) {
        return s;
      }
    }
    if (Status s = statements_->funnel->Write(*conn_, *fresh); !s.ok()) return s;

    const std::string now = UtcNow();
    std::vector<SqlValue> values;
    std::vector<std::string> reasons;
    reasons.reserve(batch.dead_letters.size());
    for (const store::DeadLetter& dead : batch.dead_letters) {
      reasons.push_back(SanitizeUtf8(dead.reason, kMaxReasonBytes));
      const std::string_view payload =
          std::string_view(dead.payload).substr(0, d.max_payload_bytes());
      values.insert(values.end(), {std::string_view(batch.stream), int64_t{dead.partition},
                                   dead.offset, std::string_view(reasons.back()), SqlBlob{payload},
                                   std::string_view(now), CodeOrOther(dead.code),
                                   OrNull(dead.field), kOpen, int64_t{0}, SqlValue(), SqlValue()});
    }
    if (Status s = statements_->dead_letters.Execute(*conn_, d, values); !s.ok()) return s;
    if (!batch.replayed.empty()) {
      // A replay moves no offset. Its new rows count in processor_stats' events as process's
      // do, in this transaction: a row stored before (a rerun) adds nothing. `batches` and
      // `dead_letters` keep counting what process committed (the latter is a counter of
      // letters recorded, which a replay does not undo).
      if (Status s = MarkReplayed(batch, now); !s.ok()) return s;
      if (fresh->empty()) return Status::Ok();
      const SqlValue stats[] = {std::string_view(batch.stream),
                                int64_t{0},
                                static_cast<int64_t>(fresh->size()),
                                int64_t{0},
                                SqlValue(),
                                SqlValue(),
                                std::string_view(now)};
      return statements_->replay_stats.Execute(*conn_, d, stats);
    }

    // Read before the offsets move: what this commit adds to processor_stats.
    auto stored = StoredOffsets(batch.stream, statements_->load_offsets);
    if (!stored.ok()) return stored.status();
    const BatchCounts counts = CountNew(batch, *stored);
    values.clear();
    for (const auto& [partition, next] : batch.reset_offsets) {
      values.insert(values.end(), {std::string_view(batch.stream), int64_t{partition}, next});
    }
    if (Status s = statements_->reset_offsets.Execute(*conn_, d, values); !s.ok()) return s;
    // A reset partition's people are read again from the reset too.
    if (Status s = statements_->people_reset.Execute(*conn_, d, values); !s.ok()) return s;

    values.clear();
    for (const auto& [partition, next] : batch.next_offsets) {
      values.insert(values.end(), {std::string_view(batch.stream), int64_t{partition}, next});
    }
    if (Status s = statements_->offsets.Execute(*conn_, d, values); !s.ok()) return s;
    // A partition's people offset starts where its first batch starts (before its people are
    // written back, a replay must begin there); once made, only write-backs and resets move it.
    values.clear();
    for (const auto& [partition, next] : batch.next_offsets) {
      const auto first = batch.first_offsets.find(partition);
      const int64_t start = first != batch.first_offsets.end() ? first->second : 0;
      values.insert(values.end(), {std::string_view(batch.stream), int64_t{partition}, start});
    }
    if (Status s = statements_->people_first.Execute(*conn_, d, values); !s.ok()) return s;
    if (!batch.stream_id.empty()) {
      const SqlValue id[] = {std::string_view(batch.stream), std::string_view(batch.stream_id)};
      if (Status s = statements_->stream_id.Execute(*conn_, d, id); !s.ok()) return s;
    }

    const SqlValue stats[] = {std::string_view(batch.stream),
                              counts.batches,
                              static_cast<int64_t>(fresh->size()),
                              counts.dead_letters,
                              batch.batch_millis,
                              batch.lag,
                              std::string_view(now)};
    return statements_->stats.Execute(*conn_, d, stats);
  }

  // A replay's outcomes (store::ProcessedBatch::replayed), on dead letters still open.
  Status MarkReplayed(const store::ProcessedBatch& batch, const std::string& now) {
    const Dialect& d = db_->dialect();
    const std::string table = d.Quote(tables_->Name(DeadLettersTable().name));
    auto key = [&](size_t first) {
      return " WHERE stream = " + d.Placeholder(first) + " AND " + d.Quote("partition") + " = " +
             d.Placeholder(first + 1) + " AND " + d.Quote("offset") + " = " +
             d.Placeholder(first + 2) + " AND state = " + d.Placeholder(first + 3);
    };
    auto stored = conn_->Prepare("UPDATE " + table + " SET state = " + d.Placeholder(0) +
                                     ", replays = replays + 1, replayed_at = " + d.Placeholder(1) +
                                     ", policy = " + d.Placeholder(2) + key(3),
                                 "marking dead letters replayed");
    if (!stored.ok()) return stored.status();
    // `state` is assigned before `replays`: MySQL reads a column assigned earlier in the same
    // SET as its new value, the others as its old one; this order means the same to all.
    auto failed = conn_->Prepare(
        "UPDATE " + table + " SET state = CASE WHEN replays + 1 >= " + d.Placeholder(0) + " THEN " +
            d.Placeholder(1) + " ELSE " + d.Placeholder(2) +
            " END, replays = replays + 1, reason = " + d.Placeholder(3) +
            ", code = " + d.Placeholder(4) + ", field = " + d.Placeholder(5) + key(6),
        "counting a failed replay");
    if (!failed.ok()) return failed.status();
    const SqlValue policy = OrNull(batch.replay_policy);
    for (const store::ReplayOutcome& r : batch.replayed) {
      const SqlValue where[] = {std::string_view(batch.stream), int64_t{r.partition}, r.offset,
                                kOpen};
      if (r.reason.empty()) {
        const SqlValue values[] = {
            kReplayed, std::string_view(now), policy, where[0], where[1], where[2], where[3]};
        if (Status s = (*stored)->Execute(values); !s.ok()) return s;
        continue;
      }
      const std::string reason = SanitizeUtf8(r.reason, kMaxReasonBytes);
      const SqlValue values[] = {int64_t{batch.max_replays},
                                 kQuarantined,
                                 kOpen,
                                 std::string_view(reason),
                                 CodeOrOther(r.code),
                                 OrNull(r.field),
                                 where[0],
                                 where[1],
                                 where[2],
                                 where[3]};
      if (Status s = (*failed)->Execute(values); !s.ok()) return s;
    }
    return Status::Ok();
  }

  // A dead letter's code as it was given; "other" for one given none.
  static SqlValue CodeOrOther(const std::string& code) {
    return std::string_view(code.empty() ? std::string_view("other") : std::string_view(code));
  }

  static SqlValue OrNull(const std::string& text) {
    return text.empty() ? SqlValue() : SqlValue(std::string_view(text));
  }

  // The first row of each id, in batch order, found with an open-addressing table of row
  // indices reused from batch to batch (no hash-set node per row).
  const std::vector<const CleanedEvent*>& FirstOfEachId(const std::vector<CleanedEvent>& rows) {
    unique_.clear();
    size_t slots = 16;
    while (slots < 2 * rows.size()) slots *= 2;
    seen_.assign(slots, 0);  // row index + 1; 0 is empty
    const std::hash<std::string_view> hash;
    for (size_t i = 0; i < rows.size(); ++i) {
      size_t slot = hash(rows[i].id) & (slots - 1);
      while (seen_[slot] != 0 && rows[seen_[slot] - 1].id != rows[i].id) {
        slot = (slot + 1) & (slots - 1);
      }
      if (seen_[slot] != 0) continue;  // a later copy of an id
      seen_[slot] = i + 1;
      unique_.push_back(&rows[i]);
    }
    return unique_;
  }

  // Opens a connection when there is none or the last one was lost.
  Status Connect() {
    if (conn_ && conn_->healthy()) return Status::Ok();
    if (!tables_) {
      auto owned = OwnedTables::For(db_->rows_table());
      if (!owned.ok())
        return Status::InvalidArgument(db_->describe() + ": " + owned.status().message());
      tables_ = std::make_unique<OwnedTables>(std::move(owned).value());
    }
    Disconnect();
    auto conn = db_->Connect();
    if (!conn.ok()) return conn.status();
    conn_ = std::move(conn).value();
    if (!statements_) statements_ = MakeStatements(db_->dialect(), *tables_);
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
    if (statements_) statements_->Reset();
    conn_.reset();
  }

  std::unique_ptr<SqlDatabase> db_;
  SqlProcessedStoreOptions options_;
  std::unique_ptr<SqlSession> conn_;
  std::unique_ptr<const OwnedTables> tables_;  // before statements_, which point into it
  std::optional<Statements> statements_;
  // One rollup table's values at a time (RollupValuesOf), kept for its capacity.
  std::vector<SqlValue> rollup_values_;
  // FirstOfEachId's, kept for their capacity.
  std::vector<size_t> seen_;
  std::vector<const CleanedEvent*> unique_;
  // People of committed batches not written back yet, since held_since_, and per stream and
  // partition the offset they reach (dirty: not stored yet; reset ones replace the stored).
  HeldPeople held_people_;
  size_t held_bytes_ = 0;  // held_people_.heap_bytes() after the last batch joined
  Clock::time_point held_since_ = Clock::now();
  std::map<std::string, OffsetMap> dirty_people_offsets_;
  std::map<std::string, std::set<int32_t>> people_resets_;
  // The write-back under way, if any: what was held when it started, written a piece per commit.
  std::optional<PeopleWriteBack> writing_;
  // Per stream and partition, the offset of record that a replay from the people offsets
  // (LoadOffsets) reads up to: until then every row's people are counted, stored before or not.
  std::map<std::string, OffsetMap> replay_until_;
};

}  // namespace

std::unique_ptr<store::ProcessedStore> MakeSqlProcessedStore(std::unique_ptr<SqlDatabase> database,
                                                             SqlProcessedStoreOptions options) {
  return std::make_unique<SqlProcessedStore>(std::move(database), options);
}

}  // namespace shopstream::sql
