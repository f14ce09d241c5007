#include "serve/live_json.h"

#include "common/json_writer.h"

namespace shopstream::serve {
namespace {

constexpr int kPulseStepSeconds = 10;

void OptionalText(JsonWriter& w, const std::string& text) {
  text.empty() ? w.Null() : w.String(text);
}

void WritePulse(JsonWriter& w, const query::Pulse& pulse) {
  w.BeginObject().Key("as_of");
  OptionalText(w, pulse.as_of);
  w.Key("step_seconds").Int(kPulseStepSeconds);
  w.Key("points").BeginArray();
  for (const query::PulsePoint& p : pulse.points) {
    w.BeginObject().Key("bucket").String(p.bucket).Key("events").Int(p.events);
    w.Key("per_second").Double(static_cast<double>(p.events) / kPulseStepSeconds).EndObject();
  }
  w.EndArray().EndObject();
}

}  // namespace

std::string PulseJson(const query::Pulse& pulse) {
  JsonWriter w;
  WritePulse(w, pulse);
  return w.str();
}

std::string LiveJson(const query::Pulse& pulse, const query::LivePeople& people) {
  JsonWriter w;
  w.BeginObject().Key("pulse");
  WritePulse(w, pulse);
  w.Key("people").BeginObject().Key("as_of");
  OptionalText(w, people.as_of);
  w.Key("users_5m").Int(people.users_5m).Key("sessions_5m").Int(people.sessions_5m);
  w.Key("users_30m").Int(people.users_30m).Key("sessions_30m").Int(people.sessions_30m);
  w.Key("users_per_minute").BeginArray();
  for (const query::UsersMinute& m : people.users_per_minute) {
    w.BeginObject().Key("bucket").String(m.bucket).Key("users").Int(m.users).EndObject();
  }
  w.EndArray().EndObject().EndObject();
  return w.str();
}

}  // namespace shopstream::serve
