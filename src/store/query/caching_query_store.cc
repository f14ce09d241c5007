#include "store/query/caching_query_store.h"

#include <any>
#include <mutex>
#include <string>
#include <unordered_map>

namespace shopstream {
namespace {

std::string RangeKey(const TimeRange& r) {
  return (r.from ? std::to_string(*r.from) : "-") + "," + (r.to ? std::to_string(*r.to) : "-");
}

class CachingQueryStore final : public QueryStore {
 public:
  CachingQueryStore(std::unique_ptr<QueryStore> inner, size_t max_entries)
      : inner_(std::move(inner)), max_entries_(max_entries) {}

  Result<Kpis> QueryKpis(const TimeRange& range) override {
    return Cached<Kpis>("kpis " + RangeKey(range), [&] { return inner_->QueryKpis(range); });
  }
  Result<TimeSeries> QueryTimeSeries(const TimeRange& range) override {
    return Cached<TimeSeries>("series " + RangeKey(range),
                              [&] { return inner_->QueryTimeSeries(range); });
  }
  Result<std::vector<NamedBreakdown>> QueryDepartments(const TimeRange& range) override {
    return Cached<std::vector<NamedBreakdown>>("departments " + RangeKey(range),
                                               [&] { return inner_->QueryDepartments(range); });
  }
  Result<std::vector<NamedBreakdown>> QueryTopBrands(const TimeRange& range, RankBy by,
                                                     int limit) override {
    return Cached<std::vector<NamedBreakdown>>(
        "brands " + RangeKey(range) + " " + std::to_string(static_cast<int>(by)) + " " +
            std::to_string(limit),
        [&] { return inner_->QueryTopBrands(range, by, limit); });
  }
  Result<std::vector<NamedBreakdown>> QueryTopProducts(const TimeRange& range, RankBy by,
                                                       int limit) override {
    return Cached<std::vector<NamedBreakdown>>(
        "products " + RangeKey(range) + " " + std::to_string(static_cast<int>(by)) + " " +
            std::to_string(limit),
        [&] { return inner_->QueryTopProducts(range, by, limit); });
  }
  Result<std::vector<EventTypeCount>> QueryEventMix(const TimeRange& range) override {
    return Cached<std::vector<EventTypeCount>>("mix " + RangeKey(range),
                                               [&] { return inner_->QueryEventMix(range); });
  }
  Result<Funnel> QueryFunnel(const TimeRange& range) override {
    return Cached<Funnel>("funnel " + RangeKey(range), [&] { return inner_->QueryFunnel(range); });
  }
  Result<DataExtent> QueryExtent() override {
    return Cached<DataExtent>("extent", [&] { return inner_->QueryExtent(); });
  }
  // The processor's counters change with every batch: always read.
  Result<ProcessorStatus> QueryProcessorStatus() override { return inner_->QueryProcessorStatus(); }
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
    if (stamp_ == *stamp) {
      if (answers_.size() >= max_entries_) answers_.clear();
      answers_.emplace(key, *answer);
    }
    return answer;
  }

  std::unique_ptr<QueryStore> inner_;
  const size_t max_entries_;
  std::mutex mu_;
  std::optional<int64_t> stamp_;
  std::unordered_map<std::string, std::any> answers_;
};

}  // namespace

std::unique_ptr<QueryStore> WithAnswerCache(std::unique_ptr<QueryStore> inner, size_t max_entries) {
  return std::make_unique<CachingQueryStore>(std::move(inner), max_entries);
}

}  // namespace shopstream
