#include "serve/session_funnel_api.h"

#include "common/json_writer.h"

namespace shopstream::serve {

Result<int64_t> FunnelWindowParam(const HttpRequest& request) {
  if (!request.HasParam("window")) return int64_t{30};
  for (int64_t w : query::kSessionFunnelWindows) {
    if (request.Param("window") == std::to_string(w)) return w;
  }
  const std::string shown(request.Param("window").substr(0, 40));
  return Status::InvalidArgument("window '" + shown + "' is not 5, 30 or 60 (minutes)");
}

std::string SessionFunnelJson(const query::SessionFunnel& f) {
  JsonWriter w;
  w.BeginObject();
  w.Key("window_minutes").Int(f.window_minutes);
  w.Key("windows").BeginArray();
  for (int64_t window : query::kSessionFunnelWindows) w.Int(window);
  w.EndArray();
  w.Key("from_hour");
  f.from_hour.empty() ? w.Null() : w.String(f.from_hour);
  w.Key("to_hour");
  f.to_hour.empty() ? w.Null() : w.String(f.to_hour);
  w.Key("steps").BeginArray();
  for (auto [stage, sessions] : {std::pair{"viewed", f.viewed}, std::pair{"carted", f.carted},
                                 std::pair{"bought", f.bought}}) {
    w.BeginObject().Key("stage").String(stage).Key("sessions").Int(sessions).EndObject();
  }
  w.EndArray();
  w.Key("view_to_cart").OptionalDouble(f.view_to_cart);
  w.Key("cart_to_purchase").OptionalDouble(f.cart_to_purchase);
  w.Key("view_to_purchase").OptionalDouble(f.view_to_purchase);
  w.Key("delays").BeginArray();
  for (size_t i = 0; i < f.delays.size(); ++i) {
    w.BeginObject().Key("from_seconds").Int(f.delays[i].from_seconds).Key("to_seconds");
    i + 1 < f.delays.size() ? w.Int(f.delays[i + 1].from_seconds) : w.Null();
    w.Key("sessions").Int(f.delays[i].sessions).EndObject();
  }
  w.EndArray();
  w.EndObject();
  return w.str();
}

}  // namespace shopstream::serve
