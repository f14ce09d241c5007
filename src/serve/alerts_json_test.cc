#include "serve/alerts_json.h"

#include <gtest/gtest.h>

namespace shopstream::serve {
namespace {

// A department's alert (RULE/DEPARTMENT in the alerts table) is labelled by rule and department.
TEST(AlertMetricsText, LabelsADepartmentsAlertByRuleAndDepartment) {
  query::AlertReport report;
  report.firing.push_back(
      {"conversion_drop/electronics", "fired", "2019-11-20 12:43:00", "conversion", 1.1, 1.2, 2});
  report.fired_total = {
      {"conversion_drop/electronics", 2}, {"conversion_drop/kids", 1}, {"purchases_drop", 3}};
  const std::string text = AlertMetricsText(report);
  for (const char* line : {
           "shopstream_alerts_fired_total{rule=\"conversion_drop\",department=\"electronics\"} 2\n",
           "shopstream_alerts_fired_total{rule=\"conversion_drop\",department=\"kids\"} 1\n",
           "shopstream_alerts_fired_total{rule=\"purchases_drop\"} 3\n",
           "shopstream_alerts_firing{rule=\"conversion_drop\",department=\"electronics\"} 1\n",
           "shopstream_alerts_firing{rule=\"conversion_drop\",department=\"kids\"} 0\n",
           "shopstream_alerts_firing{rule=\"purchases_drop\"} 0\n",
       }) {
    EXPECT_NE(text.find(line), std::string::npos) << line << "in\n" << text;
  }
}

}  // namespace
}  // namespace shopstream::serve
