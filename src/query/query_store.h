// The dashboard's read side: aggregate queries over the rollup tables kept by the processor
// (event/rollup.h) and its counters (processor_stats, dead_letters). Never reads the event
// tables: a range reads its whole hours and its ragged minutes, a ranking over all the data
// one row per name, so a query costs buckets, not events.
//
// One implementation for every SQL database (sql/sql_query_store.h), opened by URI with
// OpenQueryStore (endpoints/open_store.h).
// Thread safety: every method may be called from several threads at once.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/status.h"
#include "query/time_range.h"

namespace shopstream::query {

// Counts per event type and the revenue of one group (a department, brand, product, bucket).
struct Breakdown {
  int64_t events = 0;  // all event types
  int64_t views = 0;
  int64_t carts = 0;
  int64_t purchases = 0;
  double revenue = 0;
};

struct Kpis {
  Breakdown totals;
  // carts / views and purchases / carts; empty when the denominator is 0.
  std::optional<double> view_to_cart;
  std::optional<double> cart_to_purchase;
};

struct TimePoint {
  // The start of the point: "YYYY-MM-DD HH:MM:S0" (ten seconds), "YYYY-MM-DD HH:MM",
  // "YYYY-MM-DD HH", "YYYY-MM-DD", "YYYY-MM" or "YYYY".
  std::string bucket;
  Breakdown values;
};

struct TimeSeries {
  Granularity granularity = Granularity::kMinute;
  // Buckets of `granularity` per point: years in groups when above 1; 10 for ten-second points
  // (granularity kTenSeconds, named "second").
  int64_t step = 1;
  // One point per `step` buckets from the start of the range to its end, zeros included, in
  // order; never more than kMaxSeriesPoints (rollup_reading.h).
  std::vector<TimePoint> points;
};

struct NamedBreakdown {
  std::string name;        // department or brand or product (untrusted text from the data)
  std::string department;  // for products only: the department the product belongs to
  Breakdown values;
};

enum class RankBy { kRevenue, kViews };
// The board's two rankings of one range and filter: by revenue and by views.
struct Rankings {
  std::vector<NamedBreakdown> by_revenue, by_views;
};

struct EventTypeCount {
  std::string event_type;  // untrusted text from the data
  int64_t events = 0;
};

struct Funnel {
  int64_t views = 0;
  int64_t carts = 0;
  int64_t purchases = 0;
  std::optional<double> view_to_cart;
  std::optional<double> cart_to_purchase;
  std::optional<double> view_to_purchase;
};

// The processor's own counters for one input stream (processor_stats).
struct StreamStats {
  std::string stream;  // untrusted text
  int64_t batches = 0;
  int64_t events = 0;
  int64_t dead_letters = 0;
  double last_batch_ms = 0;
  int64_t lag = 0;
  std::string updated_at;
};

struct ProcessorStatus {
  std::vector<StreamStats> streams;
  int64_t dead_letters_stored = 0;  // rows in dead_letters
  // Rows in dead_letters per code (event/contract.h ReasonCode), most first; empty for a store
  // whose dead letters have no code yet (process or deadletters adds it on their next start).
  std::vector<std::pair<std::string, int64_t>> dead_letters_by_code;
};

// /api/deadletters: which dead letters (each filter empty for any).
struct DeadLetterQuery {
  std::string code, stream, state;
  int limit = 20;  // newest examples
};

// What the dashboard shows of the dead letters: counts by code, field, stream and state, counts
// by code and hour recorded, and the newest letters (all text untrusted: the message is whatever
// arrived).
struct DeadLetterReport {
  struct Count {
    std::string code, field, stream, state;
    int64_t count = 0;
    std::string first_recorded, last_recorded;
  };
  struct Hour {
    std::string hour;  // "YYYY-MM-DD HH"
    std::string code;
    int64_t count = 0;
  };
  struct Example {
    std::string stream;
    int64_t partition = 0, offset = 0, replays = 0;
    std::string code, field, state, reason, message, recorded_at;
  };
  std::vector<Count> counts;
  std::vector<Hour> by_hour;
  std::vector<Example> newest;
};

// A cross-filter: the department and the brand picked on the dashboard (untrusted text from
// the data); absent, no filter.
struct Filter {
  std::optional<std::string> department;
  std::optional<std::string> brand;

  bool empty() const { return !department && !brand; }
};

// The people behind the events of a range and filter, estimated from mergeable sketches
// (event/people.h; within 2 % of the exact counts at any size, about 0.8 % typically).
struct People {
  int64_t users = 0;
  int64_t sessions = 0;
  int64_t viewing = 0;                       // sessions with a view
  int64_t carting = 0;                       // sessions with a cart
  int64_t buying = 0;                        // sessions with a purchase
  int64_t events = 0;                        // the events of the same range and filter
  std::optional<double> events_per_session;  // events / sessions
  std::optional<double> view_to_cart;        // carting / viewing
  std::optional<double> cart_to_purchase;    // buying / carting
  std::optional<double> session_conversion;  // buying / sessions
  // The first minute whose people were counted, "" when none: a store kept by an older
  // processor counts people only from its upgrade on.
  std::string counted_since;
};

// The first and last minute buckets that hold data; both empty when the store is empty.
struct DataExtent {
  std::string first_minute;  // "YYYY-MM-DD HH:MM"
  std::string last_minute;
};

// Events per second over the last ten minutes of stream time, in ten-second points (rollup_10s).
struct PulsePoint {
  std::string bucket;  // "YYYY-MM-DD HH:MM:S0", the point's first second (UTC)
  int64_t events = 0;  // events in the ten seconds; per second is events / 10
};
struct Pulse {
  // The newest ten-second bucket holding data (the stream's "now"), "" when there is none; the
  // points run up to and including it.
  std::string as_of;
  std::vector<PulsePoint> points;  // kPulsePoints of them, oldest first, zeros included
};
inline constexpr int kPulsePoints = 60;

// Who is on the site now, from the people sketches (event/people.h) of the last minutes of
// stream time: the minute of the newest data and the ones before it.
struct UsersMinute {
  std::string bucket;  // "YYYY-MM-DD HH:MM"
  int64_t users = 0;
};
struct LivePeople {
  std::string as_of;                        // the newest minute holding data, "" when there is none
  int64_t users_5m = 0, sessions_5m = 0;    // the last 5 minutes, as_of included
  int64_t users_30m = 0, sessions_30m = 0;  // the last 30
  std::vector<UsersMinute> users_per_minute;  // the last 30 minutes, oldest first, zeros included
};
inline constexpr int kLiveShortMinutes = 5;
inline constexpr int kLiveLongMinutes = 30;

// What is taking off: names ranked over a sliding window of stream time, each with its change
// against the window of equal length just before (query/trending.h says how).
enum class TrendDimension { kProduct, kBrand, kDepartment };
enum class TrendMetric { kViews, kCarts, kPurchases, kRevenue };
struct TrendItem {
  std::string name;              // untrusted text from the data
  std::string department;        // for products: the department the product belongs to
  double value = 0;              // the metric in the window
  double previous = 0;           // in the window before
  std::optional<double> change;  // (value - previous) / previous; empty when previous is 0
};
struct Trending {
  // The minutes counted, "YYYY-MM-DD HH:MM" each, [from, to); empty when the store is empty.
  std::string from, to, previous_from;
  // True when the window is whole hours (brands and products are kept by hour), false when it
  // is exactly the minutes asked for (departments).
  bool whole_hours = false;
  std::vector<TrendItem> top;     // by value, descending
  std::vector<TrendItem> rising;  // by value - previous, descending; only names that rose
};

// Alerts (`process --alerts`, docs/alerts.md): each change of an alert's state, in stream time.
struct AlertChange {
  std::string rule, state, stream_time, metric;  // state: "fired" or "resolved"
  double value = 0, threshold = 0, baseline = 0;
};
struct AlertReport {
  std::vector<AlertChange> firing;   // each rule whose latest change fired it, by rule
  std::vector<AlertChange> history;  // the newest changes first, at most the limit asked
  std::vector<std::pair<std::string, int64_t>> fired_total;  // by rule: times it fired
};
// Sessions that viewed, then carted, then bought the same product within a conversion window
// (event/session_funnel.h has the definition and the order rules), counted in the hour each
// session reached the step: a range counts every hour that overlaps it.
inline constexpr int64_t kSessionFunnelWindows[] = {5, 30, 60};  // minutes, computed exactly
struct DelayBucket {
  int64_t from_seconds = 0;  // the bucket's lower bound; the next bucket's is its upper
  int64_t sessions = 0;
};
struct SessionFunnel {
  int64_t window_minutes = 30;
  std::string from_hour, to_hour;  // the hours counted, "YYYY-MM-DD HH", both included; "" open
  int64_t viewed = 0, carted = 0, bought = 0;
  std::optional<double> view_to_cart, cart_to_purchase, view_to_purchase;
  // Time from the first view of the bought product to the purchase, one entry per bucket
  // (zeros included), for the sessions counted in `bought`.
  std::vector<DelayBucket> delays;
};

class QueryStore {
 public:
  virtual ~QueryStore() = default;

  // Range semantics: totals count exactly the minutes of [range.from, range.to). Brand and
  // product rankings include every hour that overlaps the range, so a 15-minute range counts
  // the whole hours around it in those two rankings.
  // Filter semantics: a department keeps its minutes; a brand is kept by hour, so with a brand
  // every answer counts the whole hours that overlap the range, and a time series has hourly
  // points at the finest.
  virtual Result<Kpis> QueryKpis(const TimeRange& range, const Filter& filter) = 0;
  // Granularity follows the span of the range (clamped to the data when open-ended): ten
  // seconds up to an hour (from rollup_10s, so the first minute of a stream already shows six
  // points), minutes up to 6 hours, hours up to 31 days, days beyond, then months and groups of
  // years so that a series never has more than 1,000 points. A department picked gives minutes
  // at the finest (rollup_10s keeps no departments), a brand hours.
  virtual Result<TimeSeries> QueryTimeSeries(const TimeRange& range, const Filter& filter) = 0;
  // Every department, by revenue then events, descending.
  virtual Result<std::vector<NamedBreakdown>> QueryDepartments(const TimeRange& range,
                                                               const Filter& filter) = 0;
  virtual Result<std::vector<NamedBreakdown>> QueryTopBrands(const TimeRange& range,
                                                             const Filter& filter, RankBy by,
                                                             int limit) = 0;
  virtual Result<std::vector<NamedBreakdown>> QueryTopProducts(const TimeRange& range,
                                                               const Filter& filter, RankBy by,
                                                               int limit) = 0;
  // Both rankings of brands (products when `products`) at once, as QueryTopBrands
  // (QueryTopProducts) gives each: a store may group the rows once for both.
  virtual Result<Rankings> QueryRankings(const TimeRange& range, const Filter& filter,
                                         bool products, int limit) {
    Rankings out;
    for (RankBy by : {RankBy::kRevenue, RankBy::kViews}) {
      auto ranked = products ? QueryTopProducts(range, filter, by, limit)
                             : QueryTopBrands(range, filter, by, limit);
      if (!ranked.ok()) return ranked.status();
      (by == RankBy::kRevenue ? out.by_revenue : out.by_views) = std::move(ranked).value();
    }
    return out;
  }
  virtual Result<std::vector<EventTypeCount>> QueryEventMix(const TimeRange& range,
                                                            const Filter& filter) = 0;
  virtual Result<Funnel> QueryFunnel(const TimeRange& range, const Filter& filter) = 0;
  // Distinct users and sessions, and sessions per funnel step. Ranges as for totals (minutes);
  // with a brand, whole hours.
  virtual Result<People> QueryPeople(const TimeRange& range, const Filter& filter) = 0;

  // The same, unfiltered.
  Result<Kpis> QueryKpis(const TimeRange& range) { return QueryKpis(range, Filter{}); }
  Result<TimeSeries> QueryTimeSeries(const TimeRange& range) {
    return QueryTimeSeries(range, Filter{});
  }
  Result<std::vector<NamedBreakdown>> QueryDepartments(const TimeRange& range) {
    return QueryDepartments(range, Filter{});
  }
  Result<std::vector<NamedBreakdown>> QueryTopBrands(const TimeRange& range, RankBy by, int limit) {
    return QueryTopBrands(range, Filter{}, by, limit);
  }
  Result<std::vector<NamedBreakdown>> QueryTopProducts(const TimeRange& range, RankBy by,
                                                       int limit) {
    return QueryTopProducts(range, Filter{}, by, limit);
  }
  Result<std::vector<EventTypeCount>> QueryEventMix(const TimeRange& range) {
    return QueryEventMix(range, Filter{});
  }
  Result<Funnel> QueryFunnel(const TimeRange& range) { return QueryFunnel(range, Filter{}); }
  Result<People> QueryPeople(const TimeRange& range) { return QueryPeople(range, Filter{}); }

  // The live view (stream time: the newest data, not the wall clock, so that a replay of old
  // data is live too). NotFound where a store does not keep them.
  virtual Result<Pulse> QueryPulse() { return Status::NotFound("this store keeps no pulse"); }
  virtual Result<LivePeople> QueryLivePeople() {
    return Status::NotFound("this store keeps no live people");
  }

  // The `limit` top and fastest-rising names of `dimension` by `metric` over the last
  // `window_minutes` of stream time (TrendWindowFor, trending.h).
  virtual Result<Trending> QueryTrending(TrendDimension dimension, int64_t window_minutes,
                                         TrendMetric metric, int limit) {
    (void)dimension, (void)window_minutes, (void)metric, (void)limit;
    return Status::NotFound("this store keeps no trends");
  }

  // The alerts table: what fires now, the newest `limit` changes and the counts of firings.
  virtual Result<AlertReport> QueryAlerts(int limit) {
    (void)limit;
    return Status::NotFound("this store keeps no alerts");
  }
  // The session funnel over `range` for one of kSessionFunnelWindows.
  virtual Result<SessionFunnel> QuerySessionFunnel(const TimeRange& range, int64_t window_minutes) {
    (void)range, (void)window_minutes;
    return Status::NotFound("this store keeps no session funnel");
  }

  virtual Result<DataExtent> QueryExtent() = 0;
  virtual Result<ProcessorStatus> QueryProcessorStatus() = 0;
  virtual Result<DeadLetterReport> QueryDeadLetters(const DeadLetterQuery& query) {
    return Status::InvalidArgument("this store keeps no dead letters");
  }

  // A value that changes whenever another process may have committed new data. Compare
  // for inequality only. Cheap: the live mode polls it about twice a second.
  virtual Result<int64_t> ChangeStamp() = 0;
};

}  // namespace shopstream::query
