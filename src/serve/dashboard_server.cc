#include "serve/dashboard_server.h"

#include <arpa/inet.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <functional>

#include "common/log.h"
#include "serve/api_json.h"
#include "serve/web_assets.h"

namespace shopstream::serve {
namespace {

constexpr int kDefaultLimit = 10;
constexpr int kMaxLimit = 100;
constexpr const char* kJson = "application/json; charset=utf-8";

void AddCommonHeaders(httplib::Response& res) {
  // Scripts only from this server: no inline script can run even if markup slipped through.
  // ECharts styles its tooltips inline, hence 'unsafe-inline' for styles only.
  res.set_header("Content-Security-Policy",
                 "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
                 "img-src 'self' data:; connect-src 'self'; object-src 'none'; "
                 "base-uri 'none'; frame-ancestors 'none'");
  res.set_header("X-Content-Type-Options", "nosniff");
  res.set_header("Referrer-Policy", "no-referrer");
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

void SendJson(httplib::Response& res, const Result<std::string>& body) {
  res.set_header("Cache-Control", "no-store");
  if (body.ok()) {
    res.status = 200;
    res.set_content(body.value(), kJson);
  } else {
    res.status = HttpStatusFor(body.status());
    res.set_content(ErrorJson(body.status().message()), kJson);
  }
}

Result<TimeRange> RangeOf(const httplib::Request& req) {
  return ParseTimeRange(req.get_param_value("from"), req.get_param_value("to"));
}

Result<int> LimitOf(const httplib::Request& req) {
  if (!req.has_param("limit")) return kDefaultLimit;
  std::string text = req.get_param_value("limit");
  int limit = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), limit);
  if (ec != std::errc() || p != text.data() + text.size() || limit < 1 || limit > kMaxLimit) {
    return Status::InvalidArgument("limit '" + text + "' is not a whole number from 1 to " +
                                   std::to_string(kMaxLimit));
  }
  return limit;
}

// The errno of binding host:port, to explain why the server could not (EADDRINUSE...).
int ProbeBindErrno(const std::string& host, int port) {
  sockaddr_storage addr{};
  socklen_t len = 0;
  int family = AF_INET;
  if (auto* v4 = reinterpret_cast<sockaddr_in*>(&addr);
      inet_pton(AF_INET, host.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(static_cast<uint16_t>(port));
    len = sizeof(sockaddr_in);
  } else if (auto* v6 = reinterpret_cast<sockaddr_in6*>(&addr);
             inet_pton(AF_INET6, host.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(static_cast<uint16_t>(port));
    len = sizeof(sockaddr_in6);
    family = AF_INET6;
  } else {
    return EADDRNOTAVAIL;  // a host name: leave resolution to the server library
  }
  int fd = ::socket(family, SOCK_STREAM, 0);
  if (fd < 0) return errno;
  int yes = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  int err = ::bind(fd, reinterpret_cast<sockaddr*>(&addr), len) == 0 ? 0 : errno;
  ::close(fd);
  return err;
}

// A strong ETag from the FNV-1a hash of `body`.
std::string ContentTag(std::string_view body) {
  uint64_t h = 14695981039346656037ull;
  for (unsigned char c : body) h = (h ^ c) * 1099511628211ull;
  char buf[24];
  std::snprintf(buf, sizeof buf, "\"%016llx\"", static_cast<unsigned long long>(h));
  return buf;
}

bool IsLoopbackHost(const std::string& host) {
  return host == "localhost" || host == "::1" || host.rfind("127.", 0) == 0;
}

// "127.0.0.1:8088", "localhost", "[::1]:8088" -> true.
bool IsLoopbackHostHeader(const std::string& header) {
  std::string host = header;
  if (!host.empty() && host.front() == '[') {
    host = host.substr(1, host.find(']') - 1);
  } else if (auto colon = host.rfind(':'); colon != std::string::npos) {
    host.resize(colon);
  }
  return IsLoopbackHost(host);
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

Status DashboardServer::Start(const std::string& listen, QueryStore& store,
                              DashboardOptions options) {
  if (started_) return Status::Internal("the dashboard server is already started");
  std::string host;
  int port = 0;
  if (auto s = ParseListenAddress(listen, host, port); !s.ok()) return s;

  store_ = &store;
  options_ = options;
  http_ = std::make_unique<httplib::Server>();
  const int threads = options_.threads;
  http_->new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  // Responses leave in more than one write: with Nagle's algorithm and the client's delayed
  // ACK, a small keep-alive response would wait ~40 ms.
  http_->set_tcp_nodelay(true);
  // SO_REUSEADDR only: the library's default SO_REUSEPORT would let a second server share a
  // taken port silently.
  http_->set_socket_options([](socket_t sock) {
    int yes = 1;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  });
  RegisterRoutes(IsLoopbackHost(host));

  if (port == 0) {
    port_ = http_->bind_to_any_port(host);
  } else {
    port_ = http_->bind_to_port(host, port) ? port : -1;
  }
  if (port_ <= 0) {
    int err = port == 0 ? EADDRNOTAVAIL : ProbeBindErrno(host, port);
    std::string why = err == EADDRINUSE ? "the port is taken by another program"
                      : err == 0        ? "the address could not be bound"
                                        : std::strerror(err);
    http_.reset();
    return Status::Unavailable("cannot listen on " + listen + ": " + why +
                               " (choose another with --listen HOST:PORT)");
  }
  started_ = true;
  stopping_ = false;
  listener_ = std::thread([this] { http_->listen_after_bind(); });
  // stop() is a no-op until the accept loop runs, so Stop() right after Start() would hang:
  // return only once it runs.
  while (!http_->is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  // The stamp as of Start(): any later commit is a change to announce.
  auto initial = store_->ChangeStamp();
  std::optional<int64_t> first = initial.ok() ? std::optional<int64_t>(*initial) : std::nullopt;
  watcher_ = std::thread([this, first] { WatchForCommits(first); });
  return Status::Ok();
}

void DashboardServer::Stop() {
  if (!started_) return;
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  changed_.notify_all();
  http_->stop();
  listener_.join();
  watcher_.join();
  started_ = false;
  http_.reset();
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
      changed_.notify_all();
    }
    last = now;
  }
}

void DashboardServer::RegisterRoutes(bool loopback_only) {
  httplib::Server& h = *http_;
  // On a loopback address, refuse requests that name another host: a web page elsewhere
  // could otherwise read the API through DNS rebinding.
  if (loopback_only) {
    h.set_pre_routing_handler([](const httplib::Request& req, httplib::Response& res) {
      if (IsLoopbackHostHeader(req.get_header_value("Host"))) {
        return httplib::Server::HandlerResponse::Unhandled;
      }
      res.status = 403;
      res.set_content(ErrorJson("this dashboard only answers requests for localhost"), kJson);
      return httplib::Server::HandlerResponse::Handled;
    });
  }
  h.set_post_routing_handler(
      [](const httplib::Request&, httplib::Response& res) { AddCommonHeaders(res); });

  // Assets carry an ETag (a hash of their bytes) so that a reload revalidates with a 304
  // instead of compressing ECharts again.
  auto serve_asset = [](const char* asset_path) {
    const WebAsset* asset = FindWebAsset(asset_path);
    std::string etag = asset ? ContentTag(asset->body) : "";
    return [asset, etag](const httplib::Request& req, httplib::Response& res) {
      if (!asset) {
        res.status = 404;
        return;
      }
      res.set_header("Cache-Control", "no-cache");
      res.set_header("ETag", etag);
      if (req.get_header_value("If-None-Match") == etag) {
        res.status = 304;
        return;
      }
      res.set_content(asset->body.data(), asset->body.size(),
                      std::string(asset->content_type).c_str());
    };
  };
  h.Get("/", serve_asset("/index.html"));
  h.Get("/index.html", serve_asset("/index.html"));
  h.Get("/app.js", serve_asset("/app.js"));
  h.Get("/style.css", serve_asset("/style.css"));
  h.Get("/echarts.min.js", serve_asset("/echarts.min.js"));

  // Each API route: parse the range, query, render; errors become JSON with a status code.
  auto api =
      [this](
          std::function<Result<std::string>(QueryStore&, const httplib::Request&, const TimeRange&)>
              handler) {
        return [this, handler](const httplib::Request& req, httplib::Response& res) {
          auto range = RangeOf(req);
          if (!range.ok()) return SendJson(res, range.status());
          SendJson(res, handler(*store_, req, *range));
        };
      };
  h.Get("/api/kpis",
        api([](QueryStore& q, const httplib::Request&, const TimeRange& r) -> Result<std::string> {
          auto k = q.QueryKpis(r);
          if (!k.ok()) return k.status();
          return KpisJson(*k);
        }));
  h.Get("/api/timeseries",
        api([](QueryStore& q, const httplib::Request&, const TimeRange& r) -> Result<std::string> {
          auto t = q.QueryTimeSeries(r);
          if (!t.ok()) return t.status();
          return TimeSeriesJson(*t);
        }));
  h.Get("/api/departments",
        api([](QueryStore& q, const httplib::Request&, const TimeRange& r) -> Result<std::string> {
          auto d = q.QueryDepartments(r);
          if (!d.ok()) return d.status();
          return DepartmentsJson(*d);
        }));
  auto rankings = [](bool products) {
    return [products](QueryStore& q, const httplib::Request& req,
                      const TimeRange& r) -> Result<std::string> {
      auto limit = LimitOf(req);
      if (!limit.ok()) return limit.status();
      auto by_revenue = products ? q.QueryTopProducts(r, RankBy::kRevenue, *limit)
                                 : q.QueryTopBrands(r, RankBy::kRevenue, *limit);
      if (!by_revenue.ok()) return by_revenue.status();
      auto by_views = products ? q.QueryTopProducts(r, RankBy::kViews, *limit)
                               : q.QueryTopBrands(r, RankBy::kViews, *limit);
      if (!by_views.ok()) return by_views.status();
      return RankingsJson(*by_revenue, *by_views, products);
    };
  };
  h.Get("/api/brands", api(rankings(false)));
  h.Get("/api/products", api(rankings(true)));
  h.Get("/api/mix",
        api([](QueryStore& q, const httplib::Request&, const TimeRange& r) -> Result<std::string> {
          auto m = q.QueryEventMix(r);
          if (!m.ok()) return m.status();
          return MixJson(*m);
        }));
  h.Get("/api/funnel",
        api([](QueryStore& q, const httplib::Request&, const TimeRange& r) -> Result<std::string> {
          auto f = q.QueryFunnel(r);
          if (!f.ok()) return f.status();
          return FunnelJson(*f);
        }));
  h.Get("/api/extent", [this](const httplib::Request&, httplib::Response& res) {
    auto e = store_->QueryExtent();
    SendJson(res, e.ok() ? Result<std::string>(ExtentJson(*e)) : Result<std::string>(e.status()));
  });
  h.Get("/api/status", [this](const httplib::Request&, httplib::Response& res) {
    auto s = store_->QueryProcessorStatus();
    SendJson(res, s.ok() ? Result<std::string>(ProcessorStatusJson(*s))
                         : Result<std::string>(s.status()));
  });

  h.Get("/healthz", [this](const httplib::Request&, httplib::Response& res) {
    auto e = store_->QueryExtent();
    res.set_header("Cache-Control", "no-store");
    if (e.ok()) {
      res.set_content("{\"status\":\"ok\"}", kJson);
    } else {
      res.status = 503;
      res.set_content(ErrorJson(e.status().message()), kJson);
    }
  });

  h.Get("/metrics", [this](const httplib::Request&, httplib::Response& res) {
    auto status = store_->QueryProcessorStatus();
    auto totals = store_->QueryEventMix(TimeRange{});
    auto kpis = store_->QueryKpis(TimeRange{});
    MetricsInput in;
    if (status.ok()) in.status = &*status;
    if (totals.ok()) in.totals = &*totals;
    if (kpis.ok()) in.kpis = &*kpis;
    in.sse_clients = live_streams_.load();
    res.set_header("Cache-Control", "no-store");
    res.set_content(MetricsText(in), "text/plain; version=0.0.4; charset=utf-8");
  });

  h.Get("/api/events", [this](const httplib::Request&, httplib::Response& res) {
    if (live_streams_.fetch_add(1) >= options_.max_live_streams) {
      live_streams_.fetch_sub(1);
      res.status = 503;
      res.set_content(ErrorJson("too many live streams open; try again later"), kJson);
      return;
    }
    res.set_header("Cache-Control", "no-store");
    res.set_header("X-Accel-Buffering", "no");
    struct StreamState {
      bool greeted = false;
      uint64_t seen = 0;
    };
    auto state = std::make_shared<StreamState>();
    res.set_chunked_content_provider(
        "text/event-stream",
        [this, state](size_t, httplib::DataSink& sink) {
          std::unique_lock lock(mu_);
          if (!state->greeted) {
            state->greeted = true;
            state->seen = tick_;
            std::string hello =
                "retry: 2000\nevent: hello\ndata: {\"tick\":" + std::to_string(tick_) + "}\n\n";
            lock.unlock();
            return sink.write(hello.data(), hello.size());
          }
          bool woke = changed_.wait_for(lock, options_.keepalive_interval,
                                        [&] { return stopping_ || tick_ != state->seen; });
          if (stopping_) return false;
          std::string message;
          if (woke) {
            state->seen = tick_;
            message = "event: tick\ndata: {\"tick\":" + std::to_string(tick_) + "}\n\n";
          } else {
            message = ": keepalive\n\n";
          }
          lock.unlock();
          return sink.write(message.data(), message.size());
        },
        [this](bool) { live_streams_.fetch_sub(1); });
  });
}

}  // namespace shopstream::serve
