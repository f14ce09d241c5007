#include "store/query/mysql_query_store.h"

#include <condition_variable>
#include <cstdlib>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "common/log.h"
#include "mysql/mysql_client.h"
#include "store/mysql/mysql_uri.h"
#include "store/query/rollup_reading.h"

namespace shopstream {
namespace {

using mysql::Row;
using mysql::Value;

// HTTP threads beyond this many wait for a connection; each query reads a bounded number of
// buckets, so the wait is short.
constexpr size_t kMaxConnections = 8;
// LIMIT takes no "all"; this many rows is more than any rollup holds.
constexpr int64_t kNoLimit = int64_t{1} << 62;

Value Text(std::string_view s) { return Value(s); }

int64_t Int(const Row& row, size_t col) {
  return row.at(col) ? std::strtoll(row[col]->c_str(), nullptr, 10) : 0;
}
double Real(const Row& row, size_t col) {
  return row.at(col) ? std::strtod(row[col]->c_str(), nullptr) : 0.0;
}
std::string TextOf(const Row& row, size_t col) { return row.at(col).value_or(""); }

// Columns after the group key: events, views, carts, purchases, revenue. Its three
// placeholders take the event types (BreakdownParams).
constexpr const char* kBreakdownColumns =
    "COALESCE(SUM(events), 0), "
    "COALESCE(SUM(CASE WHEN event_type = ? THEN events ELSE 0 END), 0), "
    "COALESCE(SUM(CASE WHEN event_type = ? THEN events ELSE 0 END), 0), "
    "COALESCE(SUM(CASE WHEN event_type = ? THEN events ELSE 0 END), 0), "
    "COALESCE(SUM(revenue), 0)";

void AddBreakdownParams(std::vector<Value>& params) {
  params.insert(params.end(), {Text("view"), Text("cart"), Text("purchase")});
}

std::string Placeholder(size_t) { return "?"; }

// Bound values point into `source`, which outlives the query.
void AddBounds(std::vector<Value>& params, const RollupSource& source) {
  for (const std::string& bound : source.bounds) params.push_back(Text(bound));
}

Breakdown ReadBreakdown(const Row& row, size_t first_col) {
  Breakdown b;
  b.events = Int(row, first_col);
  b.views = Int(row, first_col + 1);
  b.carts = Int(row, first_col + 2);
  b.purchases = Int(row, first_col + 3);
  b.revenue = Real(row, first_col + 4);
  return b;
}

// A connection of the pool with its prepared statements, which go before it.
struct PooledConnection {
  std::unique_ptr<mysql::Connection> conn;
  std::map<std::string, mysql::Statement> statements;  // by SQL text

  Result<std::vector<Row>> Query(const std::string& sql, const std::vector<Value>& params,
                                 const std::string& what) {
    auto it = statements.find(sql);
    if (it == statements.end()) {
      auto stmt = conn->Prepare(sql, what);
      if (!stmt.ok()) return stmt.status();
      it = statements.emplace(sql, std::move(stmt).value()).first;
    }
    return it->second.Query(params);
  }
};

class MysqlQueryStore final : public QueryStore {
 public:
  explicit MysqlQueryStore(mysql::ConnectOptions options) : options_(std::move(options)) {}

  Result<Kpis> QueryKpis(const TimeRange& range) override {
    auto totals = Totals(range);
    if (!totals.ok()) return totals.status();
    return KpisFrom(*totals);
  }

  Result<TimeSeries> QueryTimeSeries(const TimeRange& range) override {
    auto extent = QueryExtent();
    if (!extent.ok()) return extent.status();
    auto span = SeriesSpanFor(range, *extent);
    if (!span.ok()) return span.status();
    if (!span->has_value()) return TimeSeries{};
    const RollupSource source = SeriesSource(range, **span, Placeholder);
    const std::string sql = std::string("SELECT SUBSTRING(bucket, 1, ?) AS b, ") +
                            kBreakdownColumns + " FROM " + source.from + " GROUP BY b ORDER BY b";
    std::vector<Value> params{static_cast<int64_t>((*span)->key_length)};
    AddBreakdownParams(params);
    AddBounds(params, source);
    auto rows = Run(sql, params, "reading " + source.what + " by time");
    if (!rows.ok()) return rows.status();
    std::vector<TimePoint> found;
    found.reserve(rows->size());
    for (const Row& row : *rows) found.push_back({TextOf(row, 0), ReadBreakdown(row, 1)});
    return FillSeries(**span, found);
  }

  Result<std::vector<NamedBreakdown>> QueryDepartments(const TimeRange& range) override {
    return Grouped("department", "", SplitSource(range, Granularity::kDay, Placeholder),
                   RankBy::kRevenue, kNoLimit);
  }

  Result<std::vector<NamedBreakdown>> QueryTopBrands(const TimeRange& range, RankBy by,
                                                     int limit) override {
    auto source = RankingSource(
        "rollup_brand", "rollup_hour_brand", range, [this] { return QueryExtent(); }, Placeholder);
    if (!source.ok()) return source.status();
    return Grouped("brand", "", *source, by, limit);
  }

  Result<std::vector<NamedBreakdown>> QueryTopProducts(const TimeRange& range, RankBy by,
                                                       int limit) override {
    auto source = RankingSource(
        "rollup_product", "rollup_hour_product", range, [this] { return QueryExtent(); },
        Placeholder);
    if (!source.ok()) return source.status();
    return Grouped("product", "department", *source, by, limit);
  }

  Result<std::vector<EventTypeCount>> QueryEventMix(const TimeRange& range) override {
    const RollupSource source = SplitSource(range, Granularity::kDay, Placeholder);
    std::vector<Value> params;
    AddBounds(params, source);
    auto rows = Run("SELECT event_type, SUM(events) AS n FROM " + source.from +
                        " GROUP BY event_type ORDER BY n DESC, event_type",
                    params, "reading " + source.what + " by event type");
    if (!rows.ok()) return rows.status();
    std::vector<EventTypeCount> mix;
    for (const Row& row : *rows) mix.push_back({TextOf(row, 0), Int(row, 1)});
    return mix;
  }

  Result<Funnel> QueryFunnel(const TimeRange& range) override {
    auto totals = Totals(range);
    if (!totals.ok()) return totals.status();
    return FunnelFrom(*totals);
  }

  Result<DataExtent> QueryExtent() override {
    auto rows =
        Run("SELECT MIN(bucket), MAX(bucket) FROM rollup_minute", {}, "reading rollup_minute");
    if (!rows.ok()) return rows.status();
    if (rows->empty()) return DataExtent{};
    return DataExtent{TextOf(rows->front(), 0), TextOf(rows->front(), 1)};
  }

  Result<ProcessorStatus> QueryProcessorStatus() override {
    auto rows =
        Run("SELECT stream, batches, events, dead_letters, last_batch_ms, `lag`,"
            " DATE_FORMAT(updated_at, '%Y-%m-%d %H:%i:%s') FROM processor_stats ORDER BY stream",
            {}, "reading processor_stats");
    if (!rows.ok()) return rows.status();
    ProcessorStatus status;
    for (const Row& r : *rows) {
      status.streams.push_back(
          {TextOf(r, 0), Int(r, 1), Int(r, 2), Int(r, 3), Real(r, 4), Int(r, 5), TextOf(r, 6)});
    }
    auto count = Run("SELECT COUNT(*) FROM dead_letters", {}, "counting dead_letters");
    if (!count.ok()) return count.status();
    status.dead_letters_stored = count->empty() ? 0 : Int(count->front(), 0);
    return status;
  }

  // One small read of processor_stats (a row per input stream), which the processor updates
  // in every batch's transaction: any commit changes the batch count.
  Result<int64_t> ChangeStamp() override {
    auto rows =
        Run("SELECT COUNT(*), COALESCE(SUM(batches), 0), COALESCE(SUM(events), 0),"
            " COALESCE(SUM(dead_letters), 0), COALESCE(UNIX_TIMESTAMP(MAX(updated_at)), 0)"
            " FROM processor_stats",
            {}, "reading processor_stats");
    if (!rows.ok()) return rows.status();
    uint64_t stamp = 1469598103934665603ull;  // FNV-1a over the five numbers
    for (size_t i = 0; i < 5; ++i) {
      stamp ^= static_cast<uint64_t>(Int(rows->front(), i));
      stamp *= 1099511628211ull;
    }
    return static_cast<int64_t>(stamp);
  }

  // Opens one connection now, to report bad credentials at start-up.
  Status Probe() {
    auto conn = Acquire();
    if (!conn.ok()) return conn.status();
    Release(std::move(conn).value());
    return Status::Ok();
  }

 private:
  Result<Breakdown> Totals(const TimeRange& range) {
    const RollupSource source = SplitSource(range, Granularity::kDay, Placeholder);
    std::vector<Value> params;
    AddBreakdownParams(params);
    AddBounds(params, source);
    auto rows = Run(std::string("SELECT ") + kBreakdownColumns + " FROM " + source.from, params,
                    "reading " + source.what);
    if (!rows.ok()) return rows.status();
    if (rows->empty()) return Breakdown{};
    return ReadBreakdown(rows->front(), 0);
  }

  // Groups the source's rows by `key` (and `parent`, when given), ranked by `by`. The column
  // names are constants of this file, never input.
  Result<std::vector<NamedBreakdown>> Grouped(const char* key, const char* parent,
                                              const RollupSource& source, RankBy by,
                                              int64_t limit) {
    const bool has_parent = *parent != '\0';
    const std::string keys = has_parent ? std::string(parent) + ", " + key : key;
    const std::string order = by == RankBy::kRevenue ? "6 DESC, 2 DESC" : "3 DESC, 6 DESC";
    const std::string sql = "SELECT " + std::string(key) + ", " + kBreakdownColumns + ", " +
                            (has_parent ? parent : "''") + " FROM " + source.from + " GROUP BY " +
                            keys + " ORDER BY " + order + ", 1, 7 LIMIT ?";
    std::vector<Value> params;
    AddBreakdownParams(params);
    AddBounds(params, source);
    params.push_back(limit);
    auto rows = Run(sql, params, "reading " + source.what);
    if (!rows.ok()) return rows.status();
    std::vector<NamedBreakdown> out;
    out.reserve(rows->size());
    for (const Row& row : *rows)
      out.push_back({TextOf(row, 0), TextOf(row, 6), ReadBreakdown(row, 1)});
    return out;
  }

  // Runs a query on a pooled connection; when the connection was lost (a server restart, an
  // idle timeout), once more on a new one.
  Result<std::vector<Row>> Run(const std::string& sql, const std::vector<Value>& params,
                               const std::string& what) {
    for (int attempt = 0;; ++attempt) {
      auto conn = Acquire();
      if (!conn.ok()) return conn.status();
      auto rows = (*conn)->Query(sql, params, what);
      const bool lost = !(*conn)->conn->healthy();
      Release(std::move(conn).value());
      if (rows.ok() || !lost || attempt > 0) return Explain(std::move(rows));
    }
  }

  // A store the processor has not created yet is a passing state, not the caller's error.
  static Result<std::vector<Row>> Explain(Result<std::vector<Row>> rows) {
    if (rows.ok() || rows.status().message().find("(error 1146)") == std::string::npos) {
      return rows;
    }
    return Status::Unavailable(rows.status().message() +
                               " (has `shopstream process` written to it yet?)");
  }

  Result<std::unique_ptr<PooledConnection>> Acquire() {
    {
      std::unique_lock lock(mu_);
      available_.wait(lock, [this] { return !idle_.empty() || open_ < kMaxConnections; });
      if (!idle_.empty()) {
        auto conn = std::move(idle_.back());
        idle_.pop_back();
        return conn;
      }
      ++open_;  // reserved; connecting happens outside the lock
    }
    auto conn = mysql::Connection::Open(options_);
    if (!conn.ok()) {
      std::lock_guard lock(mu_);
      --open_;
      available_.notify_one();
      return conn.status();
    }
    auto pooled = std::make_unique<PooledConnection>();
    pooled->conn = std::move(conn).value();
    return pooled;
  }

  // Back to the pool, or closed when it was lost. A lost connection usually means the others
  // are lost too (a server restart), so the idle ones are closed with it and the retry starts
  // on a new connection.
  void Release(std::unique_ptr<PooledConnection> conn) {
    const bool keep = conn->conn->healthy();
    std::vector<std::unique_ptr<PooledConnection>> closing;
    {
      std::lock_guard lock(mu_);
      if (keep) {
        idle_.push_back(std::move(conn));
      } else {
        closing.swap(idle_);
        open_ -= closing.size() + 1;
      }
      available_.notify_all();
    }
    // `conn` and `closing` close outside the lock.
  }

  mysql::ConnectOptions options_;
  std::mutex mu_;
  std::condition_variable available_;
  std::vector<std::unique_ptr<PooledConnection>> idle_;
  size_t open_ = 0;  // idle and in use
};

}  // namespace

Result<std::unique_ptr<QueryStore>> OpenMysqlQueryStore(const Uri& uri) {
  auto target = mysql::ParseMysqlUri(uri);
  if (!target.ok()) return target.status();
  auto store = std::make_unique<MysqlQueryStore>(std::move(target->options));
  if (Status s = store->Probe(); !s.ok()) {
    if (!s.retryable()) return s;
    LogWarn(s.message() + "; serving anyway, queries fail until the server is back");
  }
  return std::unique_ptr<QueryStore>(std::move(store));
}

}  // namespace shopstream
