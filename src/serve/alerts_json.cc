#include "serve/alerts_json.h"

#include <algorithm>

#include "common/json_writer.h"

namespace shopstream::serve {
namespace {

void WriteChanges(JsonWriter& w, const std::vector<query::AlertChange>& changes) {
  w.BeginArray();
  for (const query::AlertChange& c : changes) {
    w.BeginObject().Key("rule").String(c.rule).Key("state").String(c.state);
    w.Key("stream_time").String(c.stream_time).Key("metric").String(c.metric);
    w.Key("value").Double(c.value).Key("threshold").Double(c.threshold);
    w.Key("baseline").Double(c.baseline).EndObject();
  }
  w.EndArray();
}

// A Prometheus label value: backslash, quote and newline escaped.
std::string Label(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

// The labels of a rule: a department's alert (RULE/DEPARTMENT in the alerts table, pipeline/
// alert_stage.h) is labelled rule="RULE",department="DEPARTMENT".
std::string Labels(const std::string& rule) {
  const size_t slash = rule.find('/');
  if (slash == std::string::npos) return "rule=\"" + Label(rule) + "\"";
  return "rule=\"" + Label(rule.substr(0, slash)) + "\",department=\"" +
         Label(rule.substr(slash + 1)) + "\"";
}

}  // namespace

std::string AlertsJson(const query::AlertReport& report) {
  JsonWriter w;
  w.BeginObject().Key("firing");
  WriteChanges(w, report.firing);
  w.Key("history");
  WriteChanges(w, report.history);
  w.Key("fired_total").BeginObject();
  for (const auto& [rule, n] : report.fired_total) w.Key(rule).Int(n);
  w.EndObject().EndObject();
  return w.str();
}

std::string AlertMetricsText(const query::AlertReport& report) {
  std::string out =
      "# HELP shopstream_alerts_fired_total Times each alert rule fired (the alerts table).\n"
      "# TYPE shopstream_alerts_fired_total counter\n";
  for (const auto& [rule, n] : report.fired_total) {
    out += "shopstream_alerts_fired_total{" + Labels(rule) + "} " + std::to_string(n) + "\n";
  }
  out +=
      "# HELP shopstream_alerts_firing 1 for each alert rule that fires now.\n"
      "# TYPE shopstream_alerts_firing gauge\n";
  for (const auto& fired : report.fired_total) {
    const std::string& rule = fired.first;
    const bool firing = std::any_of(report.firing.begin(), report.firing.end(),
                                    [&](const query::AlertChange& c) { return c.rule == rule; });
    out += "shopstream_alerts_firing{" + Labels(rule) + "} " + (firing ? "1" : "0") + "\n";
  }
  return out;
}

}  // namespace shopstream::serve
