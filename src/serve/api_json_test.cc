// The Prometheus text of /metrics: labels escaped, and the store's state said.
#include "serve/api_json.h"

#include <gtest/gtest.h>

namespace shopstream::serve {
namespace {

TEST(ApiJsonTest, MetricsEscapeLabelsAndSayWhenTheStoreIsDown) {
  query::ProcessorStatus status;
  status.streams.push_back({"a\"b\\c\nd", 3, 10, 1, 250, 4, "t"});
  status.dead_letters_stored = 2;
  std::vector<query::EventTypeCount> totals = {{"view", 7}};
  query::Kpis kpis;
  kpis.totals.revenue = 12.5;
  std::string text = MetricsText({&status, &totals, &kpis, 1});
  EXPECT_NE(text.find("shopstream_store_up 1\n"), std::string::npos);
  EXPECT_NE(text.find("shopstream_processor_events_total{stream=\"a\\\"b\\\\c\\nd\"} 10\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("shopstream_processor_last_batch_seconds{stream=\"a\\\"b\\\\c\\nd\"} 0.25\n"),
            std::string::npos);
  EXPECT_NE(text.find("shopstream_rollup_events_total{event_type=\"view\"} 7\n"),
            std::string::npos);
  EXPECT_NE(text.find("shopstream_rollup_revenue_total 12.5\n"), std::string::npos);
  EXPECT_NE(text.find("# TYPE shopstream_processor_lag_messages gauge\n"), std::string::npos);
  EXPECT_NE(MetricsText({}).find("shopstream_store_up 0\n"), std::string::npos);
}

}  // namespace
}  // namespace shopstream::serve
