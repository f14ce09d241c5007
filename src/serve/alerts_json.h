// Alerts as the dashboard shows them (/api/alerts, the banner and history on the page) and as
// /metrics counts them; query_store.h: AlertReport.
#pragma once

#include <string>

#include "query/query_store.h"

namespace shopstream::serve {

// {"firing": [change, ...], "history": [change, ...], "fired_total": {"rule": n, ...}}, each
// change {"rule", "state", "stream_time", "metric", "value", "threshold", "baseline"}.
std::string AlertsJson(const query::AlertReport& report);
// shopstream_alerts_fired_total{rule} and shopstream_alerts_firing{rule}, Prometheus text.
std::string AlertMetricsText(const query::AlertReport& report);

}  // namespace shopstream::serve
