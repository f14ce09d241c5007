#include "store/query/sqlite_query_store.h"

#include <sqlite3.h>
#include <sys/stat.h>

#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "store/query/rollup_reading.h"

namespace shopstream {
namespace {

// A prepared statement that finalises itself. Values are always bound, never spliced.
class Statement {
 public:
  Statement(sqlite3_stmt* stmt) : stmt_(stmt) {}
  ~Statement() { sqlite3_finalize(stmt_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  void Bind(int index, std::string_view text) {
    sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
  }
  void Bind(int index, int64_t value) { sqlite3_bind_int64(stmt_, index, value); }
  void BindNamed(const char* name, std::string_view text) {
    int index = sqlite3_bind_parameter_index(stmt_, name);
    if (index > 0) Bind(index, text);
  }
  void BindNamed(const char* name, int64_t value) {
    int index = sqlite3_bind_parameter_index(stmt_, name);
    if (index > 0) Bind(index, value);
  }
  // SQLITE_ROW, SQLITE_DONE or an error code.
  int Step() { return sqlite3_step(stmt_); }
  std::string Text(int col) const {
    auto* p = sqlite3_column_text(stmt_, col);
    return p ? std::string(reinterpret_cast<const char*>(p),
                           static_cast<size_t>(sqlite3_column_bytes(stmt_, col)))
             : std::string();
  }
  int64_t Int(int col) const { return sqlite3_column_int64(stmt_, col); }
  double Real(int col) const { return sqlite3_column_double(stmt_, col); }
  bool IsNull(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }

 private:
  sqlite3_stmt* stmt_;
};

// Columns 1..5 after the group key: events, views, carts, purchases, revenue.
constexpr const char* kBreakdownColumns =
    "SUM(events), "
    "SUM(CASE WHEN event_type = :view THEN events ELSE 0 END), "
    "SUM(CASE WHEN event_type = :cart THEN events ELSE 0 END), "
    "SUM(CASE WHEN event_type = :purchase THEN events ELSE 0 END), "
    "COALESCE(SUM(revenue), 0)";

// Rollup sources spell their bounds :b0, :b1, ...
std::string Placeholder(size_t index) {
  std::string name = ":b";
  name += std::to_string(index);
  return name;
}

void BindSource(Statement& s, const RollupSource& source) {
  for (size_t i = 0; i < source.bounds.size(); ++i) {
    s.BindNamed(Placeholder(i).c_str(), source.bounds[i]);
  }
}

Breakdown ReadBreakdown(const Statement& s, int first_col) {
  Breakdown b;
  b.events = s.Int(first_col);
  b.views = s.Int(first_col + 1);
  b.carts = s.Int(first_col + 2);
  b.purchases = s.Int(first_col + 3);
  b.revenue = s.Real(first_col + 4);
  return b;
}

class SqliteQueryStore final : public QueryStore {
 public:
  SqliteQueryStore(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  ~SqliteQueryStore() override { sqlite3_close_v2(db_); }

  Result<Kpis> QueryKpis(const TimeRange& range) override {
    std::lock_guard lock(mu_);
    auto totals = TotalsLocked(range);
    if (!totals.ok()) return totals.status();
    return KpisFrom(*totals);
  }

  Result<TimeSeries> QueryTimeSeries(const TimeRange& range) override {
    std::lock_guard lock(mu_);
    auto extent = ExtentLocked();
    if (!extent.ok()) return extent.status();
    auto span = SeriesSpanFor(range, *extent);
    if (!span.ok()) return span.status();
    if (!span->has_value()) return TimeSeries{};
    const RollupSource source = SeriesSource(range, **span, Placeholder);
    std::string sql = std::string("SELECT substr(bucket, 1, :len) AS b, ") + kBreakdownColumns +
                      " FROM " + source.from + " GROUP BY b ORDER BY b";
    auto stmt = Prepare(sql);
    if (!stmt.ok()) return stmt.status();
    Statement& s = **stmt;
    BindTypes(s);
    BindSource(s, source);
    s.BindNamed(":len", static_cast<int64_t>((*span)->key_length));
    std::vector<TimePoint> found;
    int rc;
    while ((rc = s.Step()) == SQLITE_ROW) found.push_back({s.Text(0), ReadBreakdown(s, 1)});
    if (rc != SQLITE_DONE) return Error("reading " + source.what);
    return FillSeries(**span, found);
  }

  Result<std::vector<NamedBreakdown>> QueryDepartments(const TimeRange& range) override {
    std::lock_guard lock(mu_);
    return GroupedLocked("department", "", SplitSource(range, Granularity::kDay, Placeholder),
                         RankBy::kRevenue, -1);
  }

  Result<std::vector<NamedBreakdown>> QueryTopBrands(const TimeRange& range, RankBy by,
                                                     int limit) override {
    std::lock_guard lock(mu_);
    auto source = RankingSource(
        "rollup_brand", "rollup_hour_brand", range, [this] { return ExtentLocked(); }, Placeholder);
    if (!source.ok()) return source.status();
    return GroupedLocked("brand", "", *source, by, limit);
  }

  Result<std::vector<NamedBreakdown>> QueryTopProducts(const TimeRange& range, RankBy by,
                                                       int limit) override {
    std::lock_guard lock(mu_);
    auto source = RankingSource(
        "rollup_product", "rollup_hour_product", range, [this] { return ExtentLocked(); },
        Placeholder);
    if (!source.ok()) return source.status();
    return GroupedLocked("product", "department", *source, by, limit);
  }

  Result<std::vector<EventTypeCount>> QueryEventMix(const TimeRange& range) override {
    std::lock_guard lock(mu_);
    const RollupSource source = SplitSource(range, Granularity::kDay, Placeholder);
    auto stmt = Prepare("SELECT event_type, SUM(events) AS n FROM " + source.from +
                        " GROUP BY event_type ORDER BY n DESC, event_type");
    if (!stmt.ok()) return stmt.status();
    Statement& s = **stmt;
    BindSource(s, source);
    std::vector<EventTypeCount> mix;
    int rc;
    while ((rc = s.Step()) == SQLITE_ROW) mix.push_back({s.Text(0), s.Int(1)});
    if (rc != SQLITE_DONE) return Error("reading " + source.what);
    return mix;
  }

  Result<Funnel> QueryFunnel(const TimeRange& range) override {
    std::lock_guard lock(mu_);
    auto totals = TotalsLocked(range);
    if (!totals.ok()) return totals.status();
    return FunnelFrom(*totals);
  }

  Result<DataExtent> QueryExtent() override {
    std::lock_guard lock(mu_);
    return ExtentLocked();
  }

  Result<ProcessorStatus> QueryProcessorStatus() override {
    std::lock_guard lock(mu_);
    ProcessorStatus status;
    {
      auto stmt = Prepare(
          "SELECT stream, batches, events, dead_letters, last_batch_ms, lag, updated_at"
          " FROM processor_stats ORDER BY stream");
      if (!stmt.ok()) return stmt.status();
      Statement& s = **stmt;
      int rc;
      while ((rc = s.Step()) == SQLITE_ROW) {
        status.streams.push_back(
            {s.Text(0), s.Int(1), s.Int(2), s.Int(3), s.Real(4), s.Int(5), s.Text(6)});
      }
      if (rc != SQLITE_DONE) return Error("reading processor_stats");
    }
    auto stmt = Prepare("SELECT COUNT(*) FROM dead_letters");
    if (!stmt.ok()) return stmt.status();
    if ((*stmt)->Step() != SQLITE_ROW) return Error("counting dead_letters");
    status.dead_letters_stored = (*stmt)->Int(0);
    return status;
  }

  Result<int64_t> ChangeStamp() override {
    std::lock_guard lock(mu_);
    auto stmt = Prepare("PRAGMA data_version");
    if (!stmt.ok()) return stmt.status();
    if ((*stmt)->Step() != SQLITE_ROW) return Error("reading PRAGMA data_version");
    return (*stmt)->Int(0);
  }

 private:
  Status Error(const std::string& doing) const {
    std::string what = sqlite3_errmsg(db_);
    int code = sqlite3_errcode(db_);
    std::string message = "store " + path_ + ": " + doing + ": " + what;
    if (code == SQLITE_BUSY || code == SQLITE_LOCKED) return Status::Unavailable(message);
    if (what.find("no such table") != std::string::npos) {
      return Status::Unavailable(message + " (has `shopstream process` written to it yet?)");
    }
    return Status::IoError(message);
  }

  Result<std::unique_ptr<Statement>> Prepare(const std::string& sql) {
    sqlite3_stmt* raw = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), static_cast<int>(sql.size()), &raw, nullptr) !=
        SQLITE_OK) {
      sqlite3_finalize(raw);
      return Error("preparing a query");
    }
    return std::make_unique<Statement>(raw);
  }

  static void BindTypes(Statement& s) {
    s.BindNamed(":view", std::string_view("view"));
    s.BindNamed(":cart", std::string_view("cart"));
    s.BindNamed(":purchase", std::string_view("purchase"));
  }

  Result<Breakdown> TotalsLocked(const TimeRange& range) {
    const RollupSource source = SplitSource(range, Granularity::kDay, Placeholder);
    auto stmt = Prepare(std::string("SELECT ") + kBreakdownColumns + " FROM " + source.from);
    if (!stmt.ok()) return stmt.status();
    Statement& s = **stmt;
    BindTypes(s);
    BindSource(s, source);
    if (s.Step() != SQLITE_ROW) return Error("reading " + source.what);
    return ReadBreakdown(s, 0);
  }

  Result<DataExtent> ExtentLocked() {
    // Two subqueries: SQLite reads one end of the key for a lone MIN or MAX, but scans the
    // whole table for both in one SELECT (160 ms at 10M events).
    auto stmt = Prepare(
        "SELECT (SELECT MIN(bucket) FROM rollup_minute), (SELECT MAX(bucket) FROM rollup_minute)");
    if (!stmt.ok()) return stmt.status();
    if ((*stmt)->Step() != SQLITE_ROW) return Error("reading rollup_minute");
    return DataExtent{(*stmt)->Text(0), (*stmt)->Text(1)};
  }

  // Groups the source's rows by `key` (and `parent`, when given), ranked by `by`; limit < 0:
  // all. The column names are constants of this file, never input.
  Result<std::vector<NamedBreakdown>> GroupedLocked(const char* key, const char* parent,
                                                    const RollupSource& source, RankBy by,
                                                    int limit) {
    const bool has_parent = *parent != '\0';
    const std::string keys = has_parent ? std::string(parent) + ", " + key : key;
    const std::string order = by == RankBy::kRevenue ? "6 DESC, 2 DESC" : "3 DESC, 6 DESC";
    std::string sql = "SELECT " + std::string(key) + ", " + kBreakdownColumns + ", " +
                      (has_parent ? parent : "''") + " FROM " + source.from + " GROUP BY " + keys +
                      " ORDER BY " + order + ", 1, 7 LIMIT :limit";
    auto stmt = Prepare(sql);
    if (!stmt.ok()) return stmt.status();
    Statement& s = **stmt;
    BindTypes(s);
    BindSource(s, source);
    s.BindNamed(":limit", static_cast<int64_t>(limit));
    std::vector<NamedBreakdown> rows;
    int rc;
    while ((rc = s.Step()) == SQLITE_ROW)
      rows.push_back({s.Text(0), s.Text(6), ReadBreakdown(s, 1)});
    if (rc != SQLITE_DONE) return Error("reading " + source.what);
    return rows;
  }

  std::mutex mu_;
  sqlite3* db_;
  std::string path_;
};

// InvalidArgument unless `db` is a SQLite database that is, or may yet become, a processed
// store: one with no tables yet, or with a table that `process` creates (it creates them one
// after another, the raw store's first when both share the file, so any one of them will do).
Status CheckIsStore(sqlite3* db, const std::string& path) {
  sqlite3_stmt* raw = nullptr;
  int rc = sqlite3_prepare_v2(db, "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY 1",
                              -1, &raw, nullptr);
  Statement tables(raw);
  std::string names;
  bool ours = false, log = false;
  while (raw != nullptr && (rc = tables.Step()) == SQLITE_ROW) {
    const std::string name = tables.Text(0);
    ours = ours || name == "raw_operations" || name == "operations" ||
           name.starts_with("rollup_") || name == "stream_offsets" || name == "dead_letters" ||
           name == "processor_stats";
    log = log || name == "log";
    if (!names.empty()) names += ", ";
    names += name;
  }
  if (rc == SQLITE_NOTADB || sqlite3_errcode(db) == SQLITE_NOTADB) {
    return Status::InvalidArgument("store " + path +
                                   " is not a SQLite database (the file `shopstream process` "
                                   "writes with --processed sqlite://...)");
  }
  if (rc != SQLITE_DONE) {
    return Status::IoError("store " + path + ": listing its tables: " + sqlite3_errmsg(db));
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

}  // namespace

Result<std::unique_ptr<QueryStore>> OpenSqliteQueryStore(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    return Status::NotFound("store " + path +
                            " does not exist (start `shopstream process` to create it, or check "
                            "the path)");
  }
  sqlite3* db = nullptr;
  int rc =
      sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_FULLMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    std::string message = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    sqlite3_close_v2(db);
    return Status::IoError("cannot open store " + path + " read-only: " + message);
  }
  // The processor commits a micro-batch at a time; wait for it rather than fail.
  sqlite3_busy_timeout(db, 5000);
  sqlite3_exec(db, "PRAGMA query_only = 1", nullptr, nullptr, nullptr);
  if (Status s = CheckIsStore(db, path); !s.ok()) {
    sqlite3_close_v2(db);
    return s;
  }
  return std::unique_ptr<QueryStore>(new SqliteQueryStore(db, path));
}

}  // namespace shopstream
