// The JSON bodies of the dashboard API, one function per endpoint, and the Prometheus text
// of /metrics. Pure functions of query results, so they are tested without a server.
#pragma once

#include <string>
#include <vector>

#include "query/query_store.h"

namespace shopstream::serve {

std::string KpisJson(const query::Kpis& kpis);
std::string TimeSeriesJson(const query::TimeSeries& series);
std::string DepartmentsJson(const std::vector<query::NamedBreakdown>& departments);
std::string RankingsJson(const std::vector<query::NamedBreakdown>& by_revenue,
                         const std::vector<query::NamedBreakdown>& by_views, bool with_department);
std::string MixJson(const std::vector<query::EventTypeCount>& mix);
std::string FunnelJson(const query::Funnel& funnel);
std::string PeopleJson(const query::People& people);
std::string ExtentJson(const query::DataExtent& extent);
std::string ProcessorStatusJson(const query::ProcessorStatus& status);
std::string DeadLettersJson(const query::DeadLetterReport& report);
std::string ErrorJson(const std::string& message);

// Prometheus text exposition format 0.0.4. `status` and `totals` are absent when the store
// could not be read; shopstream_store_up then says 0.
struct MetricsInput {
  const query::ProcessorStatus* status = nullptr;
  const std::vector<query::EventTypeCount>* totals = nullptr;  // all-time events per type
  const query::Kpis* kpis = nullptr;                           // all-time revenue
  int sse_clients = 0;
};
std::string MetricsText(const MetricsInput& input);

}  // namespace shopstream::serve
