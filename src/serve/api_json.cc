#include "serve/api_json.h"

#include <charconv>
#include <cmath>

#include "common/json_writer.h"

namespace shopstream::serve {
namespace {

void WriteBreakdown(JsonWriter& w, const query::Breakdown& b) {
  w.Key("events").Int(b.events);
  w.Key("views").Int(b.views);
  w.Key("carts").Int(b.carts);
  w.Key("purchases").Int(b.purchases);
  w.Key("revenue").Double(b.revenue);
}

void WriteNamedList(JsonWriter& w, const std::vector<query::NamedBreakdown>& rows,
                    bool with_department) {
  w.BeginArray();
  for (const auto& row : rows) {
    w.BeginObject().Key("name").String(row.name);
    if (with_department) w.Key("department").String(row.department);
    WriteBreakdown(w, row.values);
    w.EndObject();
  }
  w.EndArray();
}

// Prometheus label values are UTF-8 and escape backslash, double quote and newline.
std::string LabelValue(const std::string& v) {
  std::string out;
  for (char c : ToValidUtf8(v)) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '"')
      out += "\\\"";
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  return out;
}

std::string Number(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, end);
}

void Header(std::string& out, const char* name, const char* type, const char* help) {
  out += "# HELP ";
  out += name;
  out += ' ';
  out += help;
  out += "\n# TYPE ";
  out += name;
  out += ' ';
  out += type;
  out += '\n';
}

}  // namespace

std::string KpisJson(const query::Kpis& kpis) {
  JsonWriter w;
  w.BeginObject();
  WriteBreakdown(w, kpis.totals);
  w.Key("view_to_cart").OptionalDouble(kpis.view_to_cart);
  w.Key("cart_to_purchase").OptionalDouble(kpis.cart_to_purchase);
  w.EndObject();
  return w.str();
}

std::string TimeSeriesJson(const query::TimeSeries& series) {
  JsonWriter w;
  w.BeginObject().Key("granularity").String(GranularityName(series.granularity));
  w.Key("step").Int(series.step);
  w.Key("points").BeginArray();
  for (const auto& p : series.points) {
    w.BeginObject().Key("bucket").String(p.bucket);
    WriteBreakdown(w, p.values);
    w.EndObject();
  }
  w.EndArray().EndObject();
  return w.str();
}

std::string DepartmentsJson(const std::vector<query::NamedBreakdown>& departments) {
  JsonWriter w;
  w.BeginObject().Key("departments");
  WriteNamedList(w, departments, false);
  w.EndObject();
  return w.str();
}

std::string RankingsJson(const std::vector<query::NamedBreakdown>& by_revenue,
                         const std::vector<query::NamedBreakdown>& by_views, bool with_department) {
  JsonWriter w;
  w.BeginObject().Key("by_revenue");
  WriteNamedList(w, by_revenue, with_department);
  w.Key("by_views");
  WriteNamedList(w, by_views, with_department);
  w.EndObject();
  return w.str();
}

std::string MixJson(const std::vector<query::EventTypeCount>& mix) {
  JsonWriter w;
  w.BeginObject().Key("mix").BeginArray();
  for (const auto& m : mix) {
    w.BeginObject().Key("event_type").String(m.event_type).Key("events").Int(m.events).EndObject();
  }
  w.EndArray().EndObject();
  return w.str();
}

std::string FunnelJson(const query::Funnel& f) {
  JsonWriter w;
  w.BeginObject().Key("steps").BeginArray();
  w.BeginObject().Key("stage").String("view").Key("events").Int(f.views).EndObject();
  w.BeginObject().Key("stage").String("cart").Key("events").Int(f.carts).EndObject();
  w.BeginObject().Key("stage").String("purchase").Key("events").Int(f.purchases).EndObject();
  w.EndArray();
  w.Key("view_to_cart").OptionalDouble(f.view_to_cart);
  w.Key("cart_to_purchase").OptionalDouble(f.cart_to_purchase);
  w.Key("view_to_purchase").OptionalDouble(f.view_to_purchase);
  w.EndObject();
  return w.str();
}

std::string PeopleJson(const query::People& p) {
  JsonWriter w;
  w.BeginObject();
  w.Key("users").Int(p.users);
  w.Key("sessions").Int(p.sessions);
  w.Key("sessions_viewing").Int(p.viewing);
  w.Key("sessions_carting").Int(p.carting);
  w.Key("sessions_buying").Int(p.buying);
  w.Key("events").Int(p.events);
  w.Key("events_per_session").OptionalDouble(p.events_per_session);
  w.Key("view_to_cart").OptionalDouble(p.view_to_cart);
  w.Key("cart_to_purchase").OptionalDouble(p.cart_to_purchase);
  w.Key("session_conversion").OptionalDouble(p.session_conversion);
  w.Key("counted_since");
  p.counted_since.empty() ? w.Null() : w.String(p.counted_since);
  w.EndObject();
  return w.str();
}

std::string ExtentJson(const query::DataExtent& extent) {
  JsonWriter w;
  w.BeginObject();
  w.Key("first_minute");
  extent.first_minute.empty() ? w.Null() : w.String(extent.first_minute);
  w.Key("last_minute");
  extent.last_minute.empty() ? w.Null() : w.String(extent.last_minute);
  w.EndObject();
  return w.str();
}

std::string ProcessorStatusJson(const query::ProcessorStatus& status) {
  JsonWriter w;
  w.BeginObject().Key("dead_letters_stored").Int(status.dead_letters_stored);
  w.Key("streams").BeginArray();
  for (const auto& s : status.streams) {
    w.BeginObject()
        .Key("stream")
        .String(s.stream)
        .Key("batches")
        .Int(s.batches)
        .Key("events")
        .Int(s.events)
        .Key("dead_letters")
        .Int(s.dead_letters)
        .Key("last_batch_ms")
        .Double(s.last_batch_ms)
        .Key("lag")
        .Int(s.lag)
        .Key("updated_at")
        .String(s.updated_at)
        .EndObject();
  }
  w.EndArray().EndObject();
  return w.str();
}

std::string DeadLettersJson(const query::DeadLetterReport& report) {
  JsonWriter w;
  w.BeginObject().Key("counts").BeginArray();
  for (const auto& c : report.counts) {
    w.BeginObject().Key("code").String(c.code).Key("field").String(c.field);
    w.Key("stream").String(c.stream).Key("state").String(c.state).Key("count").Int(c.count);
    w.Key("first_recorded").String(c.first_recorded).Key("last_recorded").String(c.last_recorded);
    w.EndObject();
  }
  w.EndArray().Key("by_hour").BeginArray();
  for (const auto& h : report.by_hour) {
    w.BeginObject().Key("hour").String(h.hour).Key("code").String(h.code).Key("count").Int(h.count);
    w.EndObject();
  }
  w.EndArray().Key("newest").BeginArray();
  for (const auto& e : report.newest) {
    // The JSON writer escapes <, >, & and controls: the message cannot break out of the page.
    w.BeginObject().Key("stream").String(e.stream).Key("partition").Int(e.partition);
    w.Key("offset").Int(e.offset).Key("code").String(e.code).Key("field").String(e.field);
    w.Key("state").String(e.state).Key("replays").Int(e.replays).Key("reason").String(e.reason);
    w.Key("message").String(e.message).Key("recorded_at").String(e.recorded_at);
    w.EndObject();
  }
  w.EndArray().EndObject();
  return w.str();
}

std::string ErrorJson(const std::string& message) {
  JsonWriter w;
  w.BeginObject().Key("error").String(message).EndObject();
  return w.str();
}

std::string MetricsText(const MetricsInput& in) {
  std::string out;
  Header(out, "shopstream_store_up", "gauge", "1 when the dashboard could read the store.");
  out += "shopstream_store_up " + std::string(in.status && in.totals && in.kpis ? "1" : "0") + "\n";
  Header(out, "shopstream_dashboard_sse_clients", "gauge",
         "Browsers connected to the live mode stream.");
  out += "shopstream_dashboard_sse_clients " + std::to_string(in.sse_clients) + "\n";
  if (in.status) {
    struct Counter {
      const char* name;
      const char* type;
      const char* help;
      std::string (*value)(const query::StreamStats&);
    };
    static const Counter kCounters[] = {
        {"shopstream_processor_events_total", "counter", "Events processed, per input stream.",
         [](const query::StreamStats& s) { return std::to_string(s.events); }},
        {"shopstream_processor_batches_total", "counter",
         "Micro-batches committed, per input stream.",
         [](const query::StreamStats& s) { return std::to_string(s.batches); }},
        {"shopstream_processor_dead_letters_total", "counter",
         "Messages sent to the dead-letter table, per input stream.",
         [](const query::StreamStats& s) { return std::to_string(s.dead_letters); }},
        {"shopstream_processor_last_batch_seconds", "gauge",
         "Time taken by the last micro-batch, per input stream.",
         [](const query::StreamStats& s) { return Number(s.last_batch_ms / 1000.0); }},
        {"shopstream_processor_lag_messages", "gauge",
         "Messages waiting in the input stream after the last batch.",
         [](const query::StreamStats& s) { return std::to_string(s.lag); }},
    };
    for (const auto& c : kCounters) {
      Header(out, c.name, c.type, c.help);
      for (const auto& s : in.status->streams) {
        out +=
            std::string(c.name) + "{stream=\"" + LabelValue(s.stream) + "\"} " + c.value(s) + "\n";
      }
    }
    Header(out, "shopstream_dead_letters_stored", "gauge", "Rows in the dead_letters table.");
    out +=
        "shopstream_dead_letters_stored " + std::to_string(in.status->dead_letters_stored) + "\n";
    if (!in.status->dead_letters_by_code.empty()) {
      Header(out, "shopstream_dead_letters_total", "counter",
             "Dead letters stored, per code (docs/event-contract.md); a purge resets it.");
      for (const auto& [code, count] : in.status->dead_letters_by_code) {
        out += "shopstream_dead_letters_total{code=\"" + LabelValue(code) + "\"} " +
               std::to_string(count) + "\n";
      }
    }
  }
  if (in.totals) {
    Header(out, "shopstream_rollup_events_total", "counter",
           "Cleaned events in the rollups, per event type.");
    for (const auto& t : *in.totals) {
      out += "shopstream_rollup_events_total{event_type=\"" + LabelValue(t.event_type) + "\"} " +
             std::to_string(t.events) + "\n";
    }
  }
  if (in.kpis) {
    Header(out, "shopstream_rollup_revenue_total", "counter", "Purchase revenue in the rollups.");
    out += "shopstream_rollup_revenue_total " + Number(in.kpis->totals.revenue) + "\n";
  }
  return out;
}

}  // namespace shopstream::serve
