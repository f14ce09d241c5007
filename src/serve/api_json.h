// The JSON bodies of the dashboard API, one function per endpoint, and the Prometheus text
// of /metrics. Pure functions of query results, so they are tested without a server.
#pragma once

#include <string>
#include <vector>

#include "store/query/query_store.h"

namespace shopstream::serve {

std::string KpisJson(const Kpis& kpis);
std::string TimeSeriesJson(const TimeSeries& series);
std::string DepartmentsJson(const std::vector<NamedBreakdown>& departments);
std::string RankingsJson(const std::vector<NamedBreakdown>& by_revenue,
                         const std::vector<NamedBreakdown>& by_views, bool with_department);
std::string MixJson(const std::vector<EventTypeCount>& mix);
std::string FunnelJson(const Funnel& funnel);
std::string PeopleJson(const People& people);
std::string ExtentJson(const DataExtent& extent);
std::string ProcessorStatusJson(const ProcessorStatus& status);
std::string DeadLettersJson(const DeadLetterReport& report);
std::string ErrorJson(const std::string& message);

// Prometheus text exposition format 0.0.4. `status` and `totals` are absent when the store
// could not be read; shopstream_store_up then says 0.
struct MetricsInput {
  const ProcessorStatus* status = nullptr;
  const std::vector<EventTypeCount>* totals = nullptr;  // all-time events per type
  const Kpis* kpis = nullptr;                           // all-time revenue
  int sse_clients = 0;
};
std::string MetricsText(const MetricsInput& input);

}  // namespace shopstream::serve
