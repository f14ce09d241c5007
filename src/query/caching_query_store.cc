#include "query/caching_query_store.h"

#include <any>
#include <mutex>
#include <string>
#include <unordered_map>

namespace shopstream::query {
namespace {

// The memory an answer holds, roughly: its objects and the text they own.
size_t ApproxBytes(const Kpis&) { return sizeof(Kpis); }
size_t ApproxBytes(const Funnel&) { return sizeof(Funnel); }
size_t ApproxBytes(const People& p) { return sizeof(People) + p.counted_since.capacity(); }
size_t ApproxBytes(const DataExtent& e) {
  return sizeof(DataExtent) + e.first_minute.capacity() + e.last_minute.capacity();
}
size_t ApproxBytes(const TimeSeries& t) {
  size_t n = sizeof(TimeSeries) + t.points.capacity() * sizeof(TimePoint);
  for (const auto& p : t.points) n += p.bucket.capacity();
  return n;
}
size_t ApproxBytes(const std::vector<NamedBreakdown>& rows) {
  size_t n = sizeof(rows) + rows.capacity() * sizeof(NamedBreakdown);
  for (const auto& r : rows) n += r.name.capacity() + r.department.capacity();
  return n;
}
size_t ApproxBytes(const Rankings& r) {
  return ApproxBytes(r.by_revenue) + ApproxBytes(r.by_views);
}
size_t ApproxBytes(const std::vector<EventTypeCount>& rows) {
  size_t n = sizeof(rows) + rows.capacity() * sizeof(EventTypeCount);
  for (const auto& r : rows) n += r.event_type.capacity();
  return n;
}
size_t ApproxBytes(const Pulse& p) {
  size_t n = sizeof(Pulse) + p.as_of.capacity() + p.points.capacity() * sizeof(PulsePoint);
  for (const auto& point : p.points) n += point.bucket.capacity();
  return n;
}
size_t ApproxBytes(const LivePeople& l) {
  size_t n =
      sizeof(LivePeople) + l.as_of.capacity() + l.users_per_minute.capacity() * sizeof(UsersMinute);
  for (const auto& m : l.users_per_minute) n += m.bucket.capacity();
  return n;
}
size_t ApproxBytes(const AlertReport& r) {
  size_t n = sizeof(AlertReport) + r.fired_total.capacity() * sizeof(r.fired_total[0]);
  for (const auto* list : {&r.firing, &r.history}) {
    n += list->capacity() * sizeof(AlertChange);
    for (const auto& c : *list) {
      n += c.rule.capacity() + c.state.capacity() + c.stream_time.capacity() + c.metric.capacity();
    }
  }
  for (const auto& [rule, count] : r.fired_total) n += rule.capacity();
  return n;
}
size_t ApproxBytes(const SessionFunnel& f) {
  return sizeof(SessionFunnel) + f.from_hour.capacity() + f.to_hour.capacity() +
         f.delays.capacity() * sizeof(DelayBucket);
}
size_t ApproxBytes(const Trending& t) {
  size_t n = sizeof(Trending) + (t.top.capacity() + t.rising.capacity()) * sizeof(TrendItem);
  for (const auto* list : {&t.top, &t.rising}) {
    for (const auto& item : *list) n += item.name.capacity() + item.department.capacity();
  }
  return n;
}
// Per entry: the hash node, the key and the std::any's own allocation.
constexpr size_t kEntryOverhead = 128;

// A range and a filter as text that no other range and filter share: each name is prefixed by
// its length.
std::string RangeKey(const TimeRange& r, const Filter& f) {
  std::string key = r.from ? std::to_string(*r.from) : std::string("-");
  key.append(",").append(r.to ? std::to_string(*r.to) : std::string("-"));
  for (const std::optional<std::string>& name : {f.department, f.brand}) {
    if (!name) {
      key.append(" -");
      continue;
    }
    key.append(" ").append(std::to_string(name->size())).append(":").append(*name);
  }
  return key;
}

class CachingQueryStore final : public QueryStore {
 public:
  CachingQueryStore(std::unique_ptr<QueryStore> inner, size_t max_entries, size_t max_bytes)
      : inner_(std::move(inner)), max_entries_(max_entries), max_bytes_(max_bytes) {}

  Result<Kpis> QueryKpis(const TimeRange& range, const Filter& filter) override {
    return Cached<Kpis>("kpis " + RangeKey(range, filter),
                        [&] { return inner_->QueryKpis(range, filter); });
  }
  Result<TimeSeries> QueryTimeSeries(const TimeRange& range, const Filter& filter) override {
    return Cached<TimeSeries>("series " + RangeKey(range, filter),
                              [&] { return inner_->QueryTimeSeries(range, filter); });
  }
  Result<std::vector<NamedBreakdown>> QueryDepartments(const TimeRange& range,
                                                       const Filter& filter) override {
    return Cached<std::vector<NamedBreakdown>>("departments " + RangeKey(range, filter), [&] {
      return inner_->QueryDepartments(range, filter);
    });
  }
  Result<std::vector<NamedBreakdown>> QueryTopBrands(const TimeRange& range, const Filter& filter,
                                                     RankBy by, int limit) override {
    return Cached<std::vector<NamedBreakdown>>(
        "brands " + std::to_string(static_cast<int>(by)) + " " + std::to_string(limit) + " " +
            RangeKey(range, filter),
        [&] { return inner_->QueryTopBrands(range, filter, by, limit); });
  }
  Result<std::vector<NamedBreakdown>> QueryTopProducts(const TimeRange& range, const Filter& filter,
                                                       RankBy by, int limit) override {
    return Cached<std::vector<NamedBreakdown>>(
        "products " + std::to_string(static_cast<int>(by)) + " " + std::to_string(limit) + " " +
            RangeKey(range, filter),
        [&] { return inner_->QueryTopProducts(range, filter, by, limit); });
  }
  Result<Rankings> QueryRankings(const TimeRange& range, const Filter& filter, bool products,
                                 int limit) override {
    return Cached<Rankings>(std::string(products ? "products" : "brands") + " both " +
                                std::to_string(limit) + " " + RangeKey(range, filter),
                            [&] { return inner_->QueryRankings(range, filter, products, limit); });
  }
  Result<std::vector<EventTypeCount>> QueryEventMix(const TimeRange& range,
                                                    const Filter& filter) override {
    return Cached<std::vector<EventTypeCount>>(
        "mix " + RangeKey(range, filter), [&] { return inner_->QueryEventMix(range, filter); });
  }
  Result<Funnel> QueryFunnel(const TimeRange& range, const Filter& filter) override {
    return Cached<Funnel>("funnel " + RangeKey(range, filter),
                          [&] { return inner_->QueryFunnel(range, filter); });
  }
  Result<People> QueryPeople(const TimeRange& range, const Filter& filter) override {
    return Cached<People>("people " + RangeKey(range, filter),
                          [&] { return inner_->QueryPeople(range, filter); });
  }
  Result<Pulse> QueryPulse() override {
    return Cached<Pulse>("pulse", [&] { return inner_->QueryPulse(); });
  }
  Result<LivePeople> QueryLivePeople() override {
    return Cached<LivePeople>("live people", [&] { return inner_->QueryLivePeople(); });
  }
  Result<Trending> QueryTrending(TrendDimension dimension, int64_t window_minutes,
                                 TrendMetric metric, int limit) override {
    return Cached<Trending>(
        "trending " + std::to_string(static_cast<int>(dimension)) + " " +
            std::to_string(window_minutes) + " " + std::to_string(static_cast<int>(metric)) + " " +
            std::to_string(limit),
        [&] { return inner_->QueryTrending(dimension, window_minutes, metric, limit); });
  }
  Result<SessionFunnel> QuerySessionFunnel(const TimeRange& range,
                                           int64_t window_minutes) override {
    return Cached<SessionFunnel>(
        "session funnel " + std::to_string(window_minutes) + " " + RangeKey(range, Filter{}),
        [&] { return inner_->QuerySessionFunnel(range, window_minutes); });
  }
  Result<DataExtent> QueryExtent() override {
    return Cached<DataExtent>("extent", [&] { return inner_->QueryExtent(); });
  }
  // The processor's counters change with every batch: always read.
  Result<ProcessorStatus> QueryProcessorStatus() override { return inner_->QueryProcessorStatus(); }
  Result<DeadLetterReport> QueryDeadLetters(const DeadLetterQuery& query) override {
    return inner_->QueryDeadLetters(query);
  }
  Result<AlertReport> QueryAlerts(int limit) override {
    return Cached<AlertReport>("alerts " + std::to_string(limit),
                               [&] { return inner_->QueryAlerts(limit); });
  }
  Result<int64_t> ChangeStamp() override { return inner_->ChangeStamp(); }

 private:
  template <typename T, typename Compute>
  Result<T> Cached(const std::string& key, Compute&& compute) {
    auto stamp = inner_->ChangeStamp();
    if (!stamp.ok()) return stamp.status();
    {
      std::lock_guard lock(mu_);
      if (!stamp_ || *stamp_ != *stamp) {
        answers_.clear();
        bytes_ = 0;
        stamp_ = *stamp;
      }
      if (auto it = answers_.find(key); it != answers_.end()) return std::any_cast<T>(it->second);
    }
    // Computed outside the lock, so that slow questions do not queue the others; two threads
    // may compute the same answer once.
    Result<T> answer = compute();
    if (!answer.ok()) return answer;
    std::lock_guard lock(mu_);
    // Kept only when no commit was seen meanwhile: an answer from older data than the stamp
    // now in use must not be served as current.
    const size_t bytes = ApproxBytes(*answer) + key.capacity() + kEntryOverhead;
    if (stamp_ == *stamp && bytes <= max_bytes_ / 4 && !answers_.contains(key)) {
      if (answers_.size() >= max_entries_ || bytes_ + bytes > max_bytes_) {
        answers_.clear();
        bytes_ = 0;
      }
      answers_.emplace(key, *answer);
      bytes_ += bytes;
    }
    return answer;
  }

  std::unique_ptr<QueryStore> inner_;
  const size_t max_entries_;
  const size_t max_bytes_;
  std::mutex mu_;
  std::optional<int64_t> stamp_;
  std::unordered_map<std::string, std::any> answers_;
  size_t bytes_ = 0;  // ApproxBytes of the answers kept, with their keys
};

}  // namespace

std::unique_ptr<QueryStore> WithAnswerCache(std::unique_ptr<QueryStore> inner, size_t max_entries,
                                            size_t max_bytes) {
  return std::make_unique<CachingQueryStore>(std::move(inner), max_entries, max_bytes);
}

}  // namespace shopstream::query
