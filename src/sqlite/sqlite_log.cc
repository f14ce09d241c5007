#include "sqlite/sqlite_log.h"

#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <optional>
#include <thread>
#include <utility>

#include "common/log.h"
#include "common/text.h"
#include "event/uuid.h"
#include "sqlite/sqlite_client.h"

namespace shopstream::sqlite {
namespace {

using sqlite::Database;
using sqlite::Statement;

constexpr const char* kSchema =
    "CREATE TABLE IF NOT EXISTS log(offset INTEGER PRIMARY KEY, payload BLOB NOT NULL,"
    " appended_us INTEGER NOT NULL);"
    "CREATE TABLE IF NOT EXISTS log_meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);";

int64_t NowMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Opens the log, creating its tables and its id on first use; returns the id.
Result<std::string> OpenLog(Database& db) {
  if (Status s = db.Exec(kSchema); !s.ok()) return s;
  if (Status s = db.BeginImmediate(); !s.ok()) return s;
  auto insert = db.Prepare("INSERT OR IGNORE INTO log_meta(key, value) VALUES('id', ?)");
  if (!insert.ok()) return insert.status();
  std::string fresh = Uuid1Generator().Next();
  insert->Bind(1, std::string_view(fresh));
  if (Status s = insert->Run(); !s.ok()) return s;
  if (Status s = db.Commit(); !s.ok()) return s;
  auto select = db.Prepare("SELECT value FROM log_meta WHERE key = 'id'");
  if (!select.ok()) return select.status();
  auto row = select->Step();
  if (!row.ok()) return row.status();
  return std::string(select->ColumnText(0));
}

class SqliteLogPublisher : public bus::Publisher {
 public:
  SqliteLogPublisher(std::unique_ptr<Database> db, Statement next, Statement insert, Statement trim,
                     int64_t retain)
      : db_(std::move(db)),
        next_(std::move(next)),
        insert_(std::move(insert)),
        trim_(std::move(trim)),
        retain_(retain) {}

  Status Publish(const std::vector<std::string>& payloads) override {
    if (payloads.empty()) return Status::Ok();
    if (Status s = db_->BeginImmediate(); !s.ok()) return s;
    Status s = AppendAll(payloads);
    if (s.ok()) s = TrimIfDue();
    if (s.ok()) s = db_->Commit();
    if (!s.ok()) db_->Rollback();
    return s;
  }

  Status Flush() override { return Status::Ok(); }  // every Publish is already committed

 private:
  Status AppendAll(const std::vector<std::string>& payloads) {
    auto row = next_.Step();
    if (!row.ok()) return row.status();
    int64_t offset = next_.ColumnInt(0);
    next_.Reset();
    const int64_t now = NowMicros();
    for (const std::string& payload : payloads) {
      insert_.Bind(1, offset++);
      insert_.BindBlob(2, payload);
      insert_.Bind(3, now);
      if (Status s = insert_.Run(); !s.ok()) return s;
    }
    end_ = offset;
    return Status::Ok();
  }

  // Deletes in steps of a tenth of the retention, so that a trim is rare and short.
  Status TrimIfDue() {
    if (retain_ <= 0 || end_ - retain_ < trimmed_to_ + std::max<int64_t>(retain_ / 10, 1)) {
      return Status::Ok();
    }
    trim_.Bind(1, end_ - retain_);
    if (Status s = trim_.Run(); !s.ok()) return s;
    trimmed_to_ = end_ - retain_;
    return Status::Ok();
  }

  std::unique_ptr<Database> db_;
  Statement next_;
  Statement insert_;
  Statement trim_;
  const int64_t retain_;
  int64_t end_ = 0;         // the next offset to append
  int64_t trimmed_to_ = 0;  // every offset below this is deleted (or was never written)
};

// Reads a log that the publisher creates: until the file exists, Poll waits for it (as a
// Kafka consumer waits for a topic) instead of creating an empty log at a mistyped path.
class SqliteLogSource : public bus::MessageSource {
 public:
  SqliteLogSource(std::string path, bool start_latest)
      : path_(std::move(path)), start_latest_(start_latest) {}

  void SetAssignmentListener(AssignmentListener listener) override {
    listener_ = std::move(listener);
    assigned_ = false;
  }

  Status PollInto(size_t max_messages, std::chrono::milliseconds timeout,
                  bus::MessageBatch* out) override {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    if (!db_) {
      Status s = OpenExisting();
      if (s.code() == StatusCode::kNotFound) {
        if (!waiting_reported_) {
          LogWarn("sqlite log " + QuoteValue(path_, 200) +
                  " does not exist yet; waiting for a producer to create it (is the path right?)");
          waiting_reported_ = true;
        }
        std::this_thread::sleep_until(deadline);
        return Status::Ok();
      }
      if (!s.ok()) return s;
    }
    if (!assigned_) {
      if (Status s = Assign(); !s.ok()) return s;
    }
    const size_t first = out->size();
    while (true) {
      read_.Bind(1, next_);
      read_.Bind(2, static_cast<int64_t>(max_messages));
      while (true) {
        auto row = read_.Step();
        if (!row.ok()) {
          read_.Reset();
          return row.status();
        }
        if (!row.value()) break;
        out->Add(0, read_.ColumnInt(0), read_.ColumnText(1));
      }
      read_.Reset();
      if (out->size() > first) {
        const int64_t first_offset = (*out)[first].offset;
        if (first_offset > next_) {
          LogWarn("sqlite log: offsets " + std::to_string(next_) + " to " +
                  std::to_string(first_offset - 1) +
                  " were deleted by the log's retention before they were read; skipping them"
                  " (recorded as a dead letter)");
          gaps_.push_back({0, next_, first_offset});
        }
        next_ = (*out)[out->size() - 1].offset + 1;
        return Status::Ok();
      }
      if (Status s = CheckStillThere(); !s.ok()) return s;
      if (std::chrono::steady_clock::now() >= deadline) return Status::Ok();
      // New messages are noticed by polling; 5 ms keeps latency low at negligible cost.
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  }

  int64_t Lag() override {
    if (!db_) return -1;
    auto end = EndOffset();
    return end.ok() ? std::max<int64_t>(0, end.value() - next_) : -1;
  }

  std::string stream_name() const override { return stream_; }

  OffsetMap TakeStartPositions() override { return std::exchange(start_positions_, {}); }
  std::vector<bus::OffsetGap> TakeGaps() override { return std::exchange(gaps_, {}); }

 private:
  Result<int64_t> EndOffset() {
    auto row = end_.Step();
    if (!row.ok()) return row.status();
    int64_t end = end_.ColumnInt(0);
    end_.Reset();
    return end;
  }

  Status Assign() {
    OffsetMap stored = listener_ ? listener_({0}) : OffsetMap{};
    if (auto it = stored.find(0); it != stored.end()) {
      next_ = it->second;
    } else if (start_latest_) {
      auto end = EndOffset();
      if (!end.ok()) return end.status();
      next_ = end.value();
    } else {
      next_ = 0;
    }
    if (!stored.contains(0)) start_positions_[0] = next_;
    assigned_ = true;
    return Status::Ok();
  }

  // The file's identity, to notice a log deleted or replaced while it is read (the open
  // handle would go on reading the deleted file, quiet for ever).
  static std::optional<std::pair<dev_t, ino_t>> FileId(const std::string& path) {
    struct stat st;
    if (::stat(path.c_str(), &st) != 0) return std::nullopt;
    return std::pair(st.st_dev, st.st_ino);
  }

  // At most once a second while idle: the log at the path is still the one being read.
  Status CheckStillThere() {
    const auto now = std::chrono::steady_clock::now();
    if (now < next_check_) return Status::Ok();
    next_check_ = now + std::chrono::seconds(1);
    if (FileId(path_) == file_id_) return Status::Ok();
    return Status::Corruption(
        "sqlite log " + QuoteValue(path_, 200) + " was deleted or replaced while " + stream_ +
        " was read (at offset " + std::to_string(next_) +
        "); stopping. A new log has an id of its own: started again, the processor reads it "
        "from its start");
  }

  // NotFound while there is no log at the path yet; InvalidArgument for a file that is not one.
  Status OpenExisting() {
    std::error_code ec;
    if (!std::filesystem::exists(path_, ec) || std::filesystem::file_size(path_, ec) == 0) {
      return Status::NotFound(path_);
    }
    const std::string not_a_log = QuoteValue(path_, 200) +
                                  " is not a shopstream log (a log is the file `shopstream produce "
                                  "--to sqlite://...` writes)";
    auto db = Database::Open(path_, Database::Mode::kReadWrite);
    if (!db.ok()) {
      if (db.status().code() != StatusCode::kCorruption) return db.status();
      return Status::InvalidArgument(not_a_log + ": " + db.status().message());
    }
    auto tables = (*db)->Prepare("SELECT count(*), sum(name = 'log') FROM sqlite_master");
    if (!tables.ok()) return Status::InvalidArgument(not_a_log + ": " + tables.status().message());
    auto row = tables->Step();
    if (!row.ok()) return row.status();
    const int64_t table_count = tables->ColumnInt(0), log_tables = tables->ColumnInt(1);
    tables->Reset();
    if (table_count == 0) return Status::NotFound(path_);  // created a moment ago, still empty
    if (log_tables == 0) return Status::InvalidArgument(not_a_log + ": it has no log table");
    // A log written by another program may lack log_meta: its id is made here, once.
    auto id = OpenLog(**db);
    if (!id.ok()) return id.status();
    auto read =
        (*db)->Prepare("SELECT offset, payload FROM log WHERE offset >= ? ORDER BY offset LIMIT ?");
    if (!read.ok()) return read.status();
    auto end = (*db)->Prepare("SELECT coalesce(max(offset) + 1, 0) FROM log");
    if (!end.ok()) return end.status();
    stream_ = "sqlite-log:" + id.value();
    file_id_ = FileId(path_);
    read_ = std::move(read).value();
    end_ = std::move(end).value();
    db_ = std::move(db).value();
    if (waiting_reported_) LogInfo("sqlite log " + QuoteValue(path_, 200) + " exists now; reading");
    return Status::Ok();
  }

  std::string path_;
  std::unique_ptr<Database> db_;  // null until the log exists
  std::string stream_;
  Statement read_;
  Statement end_;
  bool start_latest_;
  bool waiting_reported_ = false;
  AssignmentListener listener_;
  bool assigned_ = false;
  int64_t next_ = 0;
  OffsetMap start_positions_;                       // TakeStartPositions()'s
  std::vector<bus::OffsetGap> gaps_;                // TakeGaps()'s
  std::optional<std::pair<dev_t, ino_t>> file_id_;  // of the file opened
  std::chrono::steady_clock::time_point next_check_;
};

}  // namespace

Result<std::unique_ptr<bus::Publisher>> OpenSqliteLogPublisher(const std::string& path,
                                                               int64_t retain_messages) {
  auto db = Database::Open(path, Database::Mode::kReadWriteCreate);
  if (!db.ok()) return db.status();
  if (auto id = OpenLog(**db); !id.ok()) return id.status();
  auto next = (*db)->Prepare("SELECT coalesce(max(offset) + 1, 0) FROM log");
  if (!next.ok()) return next.status();
  auto insert = (*db)->Prepare("INSERT INTO log(offset, payload, appended_us) VALUES(?, ?, ?)");
  if (!insert.ok()) return insert.status();
  auto trim = (*db)->Prepare("DELETE FROM log WHERE offset < ?");
  if (!trim.ok()) return trim.status();
  return std::unique_ptr<bus::Publisher>(
      new SqliteLogPublisher(std::move(db).value(), std::move(next).value(),
                             std::move(insert).value(), std::move(trim).value(), retain_messages));
}

Result<std::unique_ptr<bus::MessageSource>> OpenSqliteLogSource(const std::string& path,
                                                                bool start_latest) {
  return std::unique_ptr<bus::MessageSource>(new SqliteLogSource(path, start_latest));
}

Result<SqliteLogEnd> ReadSqliteLogEnd(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return Status::NotFound(path + " does not exist");
  const std::string not_a_log = QuoteValue(path, 200) + " is not a shopstream log";
  auto db = Database::Open(path, Database::Mode::kReadOnly);
  if (!db.ok()) return Status::InvalidArgument(not_a_log + ": " + db.status().message());
  // One read transaction, so that the id and the end belong to the same moment.
  auto read = (*db)->Prepare(
      "SELECT (SELECT value FROM log_meta WHERE key = 'id'),"
      " (SELECT coalesce(max(offset) + 1, 0) FROM log)");
  if (!read.ok()) return Status::InvalidArgument(not_a_log + ": " + read.status().message());
  auto row = read->Step();
  if (!row.ok()) return row.status();
  if (!*row || read->ColumnIsNull(0)) {
    return Status::InvalidArgument(not_a_log + ": it has no id yet");
  }
  return SqliteLogEnd{"sqlite-log:" + std::string(read->ColumnText(0)), read->ColumnInt(1)};
}

}  // namespace shopstream::sqlite
