#include "serve/dashboard_server.h"

#include <charconv>
#include <cstdio>
#include <functional>

#include "serve/alerts_json.h"
#include "serve/api_json.h"
#include "serve/api_params.h"
#include "serve/gzip.h"
#include "serve/host_check.h"
#include "serve/live_json.h"
#include "serve/session_funnel_api.h"
#include "serve/trending_api.h"
#include "serve/web_assets.h"

namespace shopstream::serve {
namespace {

constexpr const char* kJson = "application/json; charset=utf-8";
// Answers smaller than this are sent as they are: compressing them saves nothing.
constexpr size_t kGzipAbove = 1024;
const char* const kAssetPaths[] = {"/index.html",  "/app.js",     "/util.js",   "/live.js",
                                   "/trending.js", "/alerts.js",  "/funnel.js", "/echarts.min.js",
                                   "/style.css",   "/favicon.svg"};

std::vector<std::pair<std::string, std::string>> CommonHeaders() {
  // Scripts only from this server: no inline script can run even if markup slipped through.
  // ECharts styles its tooltips inline, hence 'unsafe-inline' for styles only.
  return {{"Content-Security-Policy",
           "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
           "img-src 'self' data:; connect-src 'self'; object-src 'none'; "
           "base-uri 'none'; frame-ancestors 'none'"},
          {"X-Content-Type-Options", "nosniff"},
          {"Referrer-Policy", "no-referrer"}};
}

int HttpStatusFor(const Status& s) {
  switch (s.code()) {
    case StatusCode::kInvalidArgument:
      return 400;
    case StatusCode::kNotFound:
      return 404;
    case StatusCode::kUnavailable:
      return 503;
    default:
      return 500;
  }
}

bool WantsGzip(const HttpRequest& req) {
  auto accept = req.Header("Accept-Encoding");
  return accept && AcceptsGzip(*accept);
}

// A dynamic answer, compressed when the client takes gzip and it is worth it.
HttpResponse Dynamic(const HttpRequest& req, int status, std::string body,
                     const char* content_type) {
  HttpResponse res;
  res.status = status;
  res.SetHeader("Content-Type", content_type);
  res.SetHeader("Cache-Control", "no-store");
  if (body.size() > kGzipAbove && WantsGzip(req)) {
    res.SetHeader("Content-Encoding", "gzip");
    res.SetHeader("Vary", "Accept-Encoding");
    res.body = Gzip(body);
  } else {
    res.body = std::move(body);
  }
  return res;
}

HttpResponse Json(const HttpRequest& req, const Result<std::string>& body) {
  if (body.ok()) return Dynamic(req, 200, body.value(), kJson);
  return Dynamic(req, HttpStatusFor(body.status()), ErrorJson(body.status().message()), kJson);
}

// A strong ETag from the FNV-1a hash of `body`, with `suffix` for another representation.
std::string ContentTag(std::string_view body, const char* suffix) {
  uint64_t h = 14695981039346656037ull;
  for (unsigned char c : body) h = (h ^ c) * 1099511628211ull;
  char buf[40];
  std::snprintf(buf, sizeof buf, "\"%016llx%s\"", static_cast<unsigned long long>(h), suffix);
  return buf;
}

// A query's answer as JSON: `query` gives a Result<T>, `render` turns its value into text.
template <typename Query, typename Render>
Result<std::string> Answer(Query&& query, Render&& render) {
  auto value = query();
  if (!value.ok()) return value.status();
  return render(*value);
}

}  // namespace

Status ParseListenAddress(const std::string& listen, std::string& host, int& port) {
  auto bad = [&](const std::string& why) {
    return Status::InvalidArgument("listen address '" + listen + "' " + why +
                                   " (expected HOST:PORT, e.g. 127.0.0.1:8088)");
  };
  auto colon = listen.rfind(':');
  if (colon == std::string::npos) return bad("has no port");
  host = listen.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  if (host.empty()) return bad("has no host");
  std::string p = listen.substr(colon + 1);
  auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), port);
  if (p.empty() || ec != std::errc() || end != p.data() + p.size() || port < 0 || port > 65535) {
    return bad("has a bad port '" + p + "'");
  }
  return Status::Ok();
}

DashboardServer::DashboardServer() = default;

DashboardServer::~DashboardServer() { Stop(); }

Status DashboardServer::Start(const std::string& listen, query::QueryStore& store,
                              DashboardOptions options) {
  if (started_) return Status::Internal("the dashboard server is already started");
  std::string host;
  int port = 0;
  if (auto s = ParseListenAddress(listen, host, port); !s.ok()) return s;

  store_ = &store;
  options_ = std::move(options);
  for (const char* path : kAssetPaths) {
    if (const WebAsset* asset = FindWebAsset(path); asset && gzipped_.count(path) == 0) {
      gzipped_.emplace(path, Gzip(asset->body));
    }
  }
  HttpServerOptions http = options_.http;
  http.common_headers = CommonHeaders();
  {
    std::lock_guard lock(mu_);
    stopping_ = false;
  }
  if (Status s = http_.Start(
          host, port, [this](const HttpRequest& req) { return Route(req); }, std::move(http));
      !s.ok()) {
    return Status::Unavailable(s.message() + " (choose another with --listen HOST:PORT)");
  }
  started_ = true;
  // The stamp as of Start(): any later commit is a change to announce.
  auto initial = store_->ChangeStamp();
  std::optional<int64_t> first = initial.ok() ? std::optional<int64_t>(*initial) : std::nullopt;
  watcher_ = std::thread([this, first] { WatchForCommits(first); });
  return Status::Ok();
}

void DashboardServer::Stop() {
  if (!started_) return;
  // The watcher first: it broadcasts into the HTTP server, which must outlive it.
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  changed_.notify_all();
  watcher_.join();
  http_.Stop();
  started_ = false;
}

void DashboardServer::WatchForCommits(std::optional<int64_t> last) {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    changed_.wait_for(lock, options_.poll_interval, [this] { return stopping_; });
    if (stopping_) break;
    lock.unlock();
    auto stamp = store_->ChangeStamp();
    lock.lock();
    // A store that could not be read and now can (the processor created it) is news too.
    std::optional<int64_t> now = stamp.ok() ? std::optional<int64_t>(*stamp) : std::nullopt;
    if (now && now != last) {
      ++tick_;
      http_.Broadcast("event: tick\ndata: {\"tick\":" + std::to_string(tick_) + "}\n\n");
      // The live pulse goes with the news itself: no page asks for it after each commit.
      lock.unlock();
      auto pulse = store_->QueryPulse();
      if (pulse.ok()) http_.Broadcast("event: pulse\ndata: " + PulseJson(*pulse) + "\n\n");
      lock.lock();
    }
    last = now;
  }
}

HttpResponse DashboardServer::Asset(const HttpRequest& req, const std::string& asset_path) {
  const WebAsset* asset = FindWebAsset(asset_path);
  if (!asset) return ErrorResponse(404, "not found");
  auto gz = gzipped_.find(asset_path);
  const bool gzip = gz != gzipped_.end() && !gz->second.empty() && WantsGzip(req);
  // The identity and gzip bytes are two representations, each with its own tag.
  std::string etag = ContentTag(asset->body, gzip ? "-gz" : "");
  HttpResponse res;
  res.SetHeader("Cache-Control", "no-cache");
  res.SetHeader("ETag", etag);
  res.SetHeader("Vary", "Accept-Encoding");
  if (req.Header("If-None-Match") == std::optional<std::string_view>(etag)) {
    res.status = 304;
    return res;
  }
  res.SetHeader("Content-Type", std::string(asset->content_type));
  if (gzip) {
    res.SetHeader("Content-Encoding", "gzip");
    res.static_body = gz->second;
  } else {
    res.static_body = asset->body;
  }
  return res;
}

HttpResponse DashboardServer::Events() {
  HttpResponse res;
  res.SetHeader("Content-Type", "text/event-stream");
  res.SetHeader("Cache-Control", "no-store");
  res.SetHeader("X-Accel-Buffering", "no");
  res.event_stream = true;
  // On the server's loop, as the stream opens: a tick after this one reaches the stream.
  res.greeting = [this] {
    std::lock_guard lock(mu_);
    return "retry: 2000\nevent: hello\ndata: {\"tick\":" + std::to_string(tick_) + "}\n\n";
  };
  return res;
}

HttpResponse DashboardServer::Route(const HttpRequest& req) {
  // On a loopback address, refuse requests that name another host: a web page elsewhere
  // could otherwise read the API through DNS rebinding. (HTTP/1.0 requests may lack a Host;
  // browsers always send one.)
  if (http_.bound_to_loopback()) {
    auto host = req.Header("Host");
    if (host && !IsLoopbackHostHeader(*host)) {
      return ErrorResponse(403, "this dashboard only answers requests for localhost");
    }
  }
  if (req.method != "GET" && req.method != "HEAD") {
    HttpResponse res = ErrorResponse(405, "only GET and HEAD are served");
    res.SetHeader("Allow", "GET, HEAD");
    return res;
  }
  const std::string& path = req.path;
  if (path == "/") return Asset(req, "/index.html");
  // Browsers ask for /favicon.ico whatever the page says; the page links the SVG.
  if (path == "/favicon.ico") return Asset(req, "/favicon.svg");
  for (const char* asset : kAssetPaths) {
    if (path == asset) return Asset(req, asset);
  }
  query::QueryStore& q = *store_;
  if (path == "/healthz") {
    auto e = q.QueryExtent();
    if (e.ok()) return Dynamic(req, 200, "{\"status\":\"ok\"}", kJson);
    return Dynamic(req, 503, ErrorJson(e.status().message()), kJson);
  }
  if (path == "/metrics") {
    auto status = q.QueryProcessorStatus();
    auto totals = q.QueryEventMix(query::TimeRange{});
    auto kpis = q.QueryKpis(query::TimeRange{});
    MetricsInput in;
    if (status.ok()) in.status = &*status;
    if (totals.ok()) in.totals = &*totals;
    if (kpis.ok()) in.kpis = &*kpis;
    in.sse_clients = static_cast<int>(http_.event_streams());
    std::string text = MetricsText(in);
    // A store kept by a processor without alerts has no alerts table: no alert metrics then.
    if (auto alerts = q.QueryAlerts(0); alerts.ok()) text += AlertMetricsText(*alerts);
    return Dynamic(req, 200, text, "text/plain; version=0.0.4; charset=utf-8");
  }
  if (path == "/api/events") return Events();
  if (path == "/api/extent") {
    return Json(req, Answer([&] { return q.QueryExtent(); }, ExtentJson));
  }
  if (path == "/api/live") {
    auto pulse = q.QueryPulse();
    if (!pulse.ok()) return Json(req, pulse.status());
    auto people = q.QueryLivePeople();
    if (!people.ok()) return Json(req, people.status());
    return Json(req, LiveJson(*pulse, *people));
  }
  if (path == "/api/trending") {
    auto query = TrendParams(req);
    if (!query.ok()) return Json(req, query.status());
    const TrendQuery& t = *query;
    auto trending = q.QueryTrending(t.dimension, t.window_minutes, t.metric, t.limit);
    if (!trending.ok()) return Json(req, trending.status());
    return Json(req, TrendingJson(t, *trending));
  }
  if (path == "/api/alerts") {
    auto limit = LimitParam(req);
    if (!limit.ok()) return Json(req, limit.status());
    return Json(req, Answer([&] { return q.QueryAlerts(*limit); }, AlertsJson));
  }
  if (path == "/api/session_funnel") {
    auto window = FunnelWindowParam(req);
    if (!window.ok()) return Json(req, window.status());
    auto range = RangeParams(req);
    if (!range.ok()) return Json(req, range.status());
    auto funnel = q.QuerySessionFunnel(*range, *window);
    if (!funnel.ok()) return Json(req, funnel.status());
    return Json(req, SessionFunnelJson(*funnel));
  }
  if (path == "/api/status") {
    return Json(req, Answer([&] { return q.QueryProcessorStatus(); }, ProcessorStatusJson));
  }
  if (path == "/api/deadletters") {
    auto query = DeadLetterParams(req);
    if (!query.ok()) return Json(req, query.status());
    return Json(req, Answer([&] { return q.QueryDeadLetters(*query); }, DeadLettersJson));
  }

  // The rest take a range and a filter.
  const bool ranged = path == "/api/kpis" || path == "/api/timeseries" ||
                      path == "/api/departments" || path == "/api/brands" ||
                      path == "/api/products" || path == "/api/mix" || path == "/api/funnel" ||
                      path == "/api/people";
  if (!ranged) return ErrorResponse(404, "not found");
  auto range = RangeParams(req);
  if (!range.ok()) return Json(req, range.status());
  auto filter = FilterParams(req);
  if (!filter.ok()) return Json(req, filter.status());
  const query::TimeRange& r = *range;
  const query::Filter& f = *filter;
  if (path == "/api/kpis") return Json(req, Answer([&] { return q.QueryKpis(r, f); }, KpisJson));
  if (path == "/api/timeseries") {
    return Json(req, Answer([&] { return q.QueryTimeSeries(r, f); }, TimeSeriesJson));
  }
  if (path == "/api/departments") {
    return Json(req, Answer([&] { return q.QueryDepartments(r, f); }, DepartmentsJson));
  }
  if (path == "/api/mix") return Json(req, Answer([&] { return q.QueryEventMix(r, f); }, MixJson));
  if (path == "/api/funnel") {
    return Json(req, Answer([&] { return q.QueryFunnel(r, f); }, FunnelJson));
  }
  if (path == "/api/people") {
    return Json(req, Answer([&] { return q.QueryPeople(r, f); }, PeopleJson));
  }
  // Brands and products.
  const bool products = path == "/api/products";
  auto limit = LimitParam(req);
  if (!limit.ok()) return Json(req, limit.status());
  auto ranked = q.QueryRankings(r, f, products, *limit);
  if (!ranked.ok()) return Json(req, ranked.status());
  return Json(req, RankingsJson(ranked->by_revenue, ranked->by_views, products));
}

}  // namespace shopstream::serve
