#include "serve/dashboard_server.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <condition_variable>
#include <mutex>
#include <thread>
#include <tuple>

namespace shopstream::serve {
namespace {

// A QueryStore whose answers and change stamp the test sets.
class FakeQueryStore : public query::QueryStore {
 public:
  Result<query::Kpis> QueryKpis(const query::TimeRange& r, const query::Filter& f) override {
    last_range = r;
    last_filter = f;
    query::Kpis k;
    k.totals.events = 3;
    k.totals.revenue = 9.5;
    return k;
  }
  Result<query::TimeSeries> QueryTimeSeries(const query::TimeRange&,
                                            const query::Filter&) override {
    return query::TimeSeries{};
  }
  Result<std::vector<query::NamedBreakdown>> QueryDepartments(const query::TimeRange&,
                                                              const query::Filter&) override {
    return std::vector<query::NamedBreakdown>{};
  }
  Result<std::vector<query::NamedBreakdown>> QueryTopBrands(const query::TimeRange&,
                                                            const query::Filter&, query::RankBy,
                                                            int limit) override {
    last_limit = limit;
    return std::vector<query::NamedBreakdown>{{"<b>x</b>", "", {}}};
  }
  Result<std::vector<query::NamedBreakdown>> QueryTopProducts(const query::TimeRange&,
                                                              const query::Filter&, query::RankBy,
                                                              int) override {
    return std::vector<query::NamedBreakdown>{};
  }
  Result<std::vector<query::EventTypeCount>> QueryEventMix(const query::TimeRange&,
                                                           const query::Filter&) override {
    return std::vector<query::EventTypeCount>{{"view", 3}};
  }
  Result<query::Funnel> QueryFunnel(const query::TimeRange&, const query::Filter&) override {
    return Status::Unavailable("no tables yet");
  }
  Result<query::People> QueryPeople(const query::TimeRange&, const query::Filter& f) override {
    last_filter = f;
    query::People p;
    p.users = 7;
    p.sessions = 8;
    p.events = 16;
    p.events_per_session = 2;
    return p;
  }
  Result<query::Pulse> QueryPulse() override {
    query::Pulse p;
    p.as_of = "2019-11-08 10:00:50";
    p.points = {{"2019-11-08 10:00:40", 0}, {"2019-11-08 10:00:50", 25}};
    return p;
  }
  Result<query::LivePeople> QueryLivePeople() override {
    query::LivePeople l;
    l.as_of = "2019-11-08 10:00";
    l.users_5m = 4;
    l.sessions_5m = 5;
    l.users_30m = 6;
    l.sessions_30m = 7;
    l.users_per_minute = {{"2019-11-08 10:00", 4}};
    return l;
  }
  Result<query::Trending> QueryTrending(query::TrendDimension dimension, int64_t window,
                                        query::TrendMetric metric, int limit) override {
    last_trend = {dimension, window, metric, limit};
    query::Trending t;
    t.from = "2019-11-08 10:00";
    t.to = "2019-11-08 11:00";
    t.previous_from = "2019-11-08 09:00";
    t.whole_hours = true;
    t.top = {{"<b>tv</b>", "electronics", 3, 0, std::nullopt}};
    t.rising = {{"<b>tv</b>", "electronics", 3, 2, 0.5}};
    return t;
  }
  Result<query::DataExtent> QueryExtent() override { return query::DataExtent{}; }
  Result<query::ProcessorStatus> QueryProcessorStatus() override {
    return query::ProcessorStatus{};
  }
  Result<int64_t> ChangeStamp() override {
    std::unique_lock lock(mu);
    if (hold) {
      held = true;
      cv.notify_all();
      cv.wait(lock, [this] { return !hold; });
    }
    return stamp;
  }
  // Makes the next ChangeStamp wait in the store until Release(); returns once it does.
  bool HoldTheWatcher() {
    std::unique_lock lock(mu);
    hold = true;
    return cv.wait_for(lock, std::chrono::seconds(10), [this] { return held; });
  }
  // Lets the held ChangeStamp return a new stamp.
  void Release() {
    std::lock_guard lock(mu);
    hold = false;
    ++stamp;
    cv.notify_all();
  }
  void Bump() {
    std::lock_guard lock(mu);
    ++stamp;
  }

  query::TimeRange last_range;
  query::Filter last_filter;
  std::tuple<query::TrendDimension, int64_t, query::TrendMetric, int> last_trend;
  int last_limit = 0;
  std::mutex mu;
  std::condition_variable cv;
  int64_t stamp = 1;
  bool hold = false;
  bool held = false;
};

class DashboardServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    DashboardOptions options;
    options.poll_interval = std::chrono::milliseconds(20);
    ASSERT_TRUE(server_.Start("127.0.0.1:0", store_, options).ok());
    client_ = std::make_unique<httplib::Client>("127.0.0.1", server_.port());
  }
  FakeQueryStore store_;
  DashboardServer server_;
  std::unique_ptr<httplib::Client> client_;
};

TEST_F(DashboardServerTest, ServesThePageAndItsScripts) {
  auto page = client_->Get("/");
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 200);
  EXPECT_NE(page->body.find("/echarts.min.js"), std::string::npos);
  EXPECT_NE(page->get_header_value("Content-Security-Policy").find("script-src 'self'"),
            std::string::npos);
  auto echarts = client_->Get("/echarts.min.js");
  ASSERT_TRUE(echarts);
  EXPECT_EQ(echarts->status, 200);
  EXPECT_GT(echarts->body.size(), 100000u);
  EXPECT_EQ(client_->Get("/nothing-here")->status, 404);
  // A reload revalidates instead of downloading ECharts again.
  std::string etag = echarts->get_header_value("ETag");
  ASSERT_FALSE(etag.empty());
  EXPECT_EQ(client_->Get("/echarts.min.js", {{"If-None-Match", etag}})->status, 304);
}

TEST_F(DashboardServerTest, ApiParsesRangeAndLimitAndMapsErrors) {
  auto kpis = client_->Get("/api/kpis?from=2019-11-08%2008:00&to=2019-11-08%2009:00");
  ASSERT_TRUE(kpis);
  EXPECT_EQ(kpis->status, 200);
  EXPECT_EQ(kpis->body, R"({"events":3,"views":0,"carts":0,"purchases":0,"revenue":9.5,)"
                        R"("view_to_cart":null,"cart_to_purchase":null})");
  ASSERT_TRUE(store_.last_range.from.has_value());
  EXPECT_EQ(query::FormatMinuteBucket(*store_.last_range.from), "2019-11-08 08:00");

  auto brands = client_->Get("/api/brands?limit=3");
  ASSERT_TRUE(brands);
  EXPECT_EQ(store_.last_limit, 3);
  EXPECT_NE(brands->body.find(R"("name":"\u003cb\u003ex\u003c/b\u003e")"), std::string::npos);

  EXPECT_EQ(client_->Get("/api/brands?limit=1000")->status, 400);
  EXPECT_EQ(client_->Get("/api/kpis?from=yesterday")->status, 400);
  auto funnel = client_->Get("/api/funnel");
  EXPECT_EQ(funnel->status, 503);
  EXPECT_NE(funnel->body.find("no tables yet"), std::string::npos);
}

TEST_F(DashboardServerTest, ApiPassesTheFilterAndRefusesBadNames) {
  auto kpis = client_->Get("/api/kpis?department=electronics&brand=%3Cb%3E%20x");
  ASSERT_TRUE(kpis);
  EXPECT_EQ(kpis->status, 200);
  EXPECT_EQ(store_.last_filter.department, std::optional<std::string>("electronics"));
  EXPECT_EQ(store_.last_filter.brand, std::optional<std::string>("<b> x"));
  ASSERT_EQ(client_->Get("/api/kpis?department=&brand=")->status, 200);
  EXPECT_TRUE(store_.last_filter.empty());

  auto people = client_->Get("/api/people?brand=nike");
  ASSERT_TRUE(people);
  EXPECT_EQ(people->status, 200);
  EXPECT_EQ(store_.last_filter.brand, std::optional<std::string>("nike"));
  EXPECT_NE(people->body.find(R"("users":7,"sessions":8,)"), std::string::npos) << people->body;
  EXPECT_NE(people->body.find(R"("events_per_session":2,)"), std::string::npos) << people->body;

  EXPECT_EQ(client_->Get("/api/kpis?brand=" + std::string(51, 'b'))->status, 400);
  EXPECT_EQ(client_->Get("/api/kpis?brand=" + std::string(50, 'b'))->status, 200);
  auto bad = client_->Get("/api/people?department=%FF%FE");
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 400);
  EXPECT_NE(bad->body.find("department"), std::string::npos);
}

TEST_F(DashboardServerTest, ServesAFavicon) {
  for (const char* path : {"/favicon.ico", "/favicon.svg"}) {
    auto icon = client_->Get(path);
    ASSERT_TRUE(icon);
    EXPECT_EQ(icon->status, 200) << path;
    EXPECT_EQ(icon->get_header_value("Content-Type"), "image/svg+xml") << path;
    EXPECT_NE(icon->body.find("<svg"), std::string::npos) << path;
  }
}

TEST_F(DashboardServerTest, RefusesRequestsForOtherHostNames) {
  for (const char* other : {"attacker.example:8088", "127.evil.example", "127.evil.example:8088",
                            "localhost.evil.example", "127.0.0.1.nip.io"}) {
    auto res = client_->Get("/api/kpis", {{"Host", other}});
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 403) << other;
  }
  for (const char* mine : {"localhost:8088", "127.0.0.1", "127.1.2.3:80", "[::1]:8088"}) {
    EXPECT_EQ(client_->Get("/api/kpis", {{"Host", mine}})->status, 200) << mine;
  }
}

TEST_F(DashboardServerTest, ManyRangesGetTheWholeFileOnce) {
  const size_t size = client_->Get("/echarts.min.js")->body.size();
  std::string ranges = "bytes=0-";
  for (int i = 0; i < 700; ++i) ranges += ",0-";
  auto res = client_->Get("/echarts.min.js", {{"Range", ranges}});
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->body.size(), size);
}

TEST_F(DashboardServerTest, ScriptsAreGzippedForClientsThatTakeIt) {
  httplib::Client gz("127.0.0.1", server_.port());
  gz.set_decompress(false);
  auto packed = gz.Get("/echarts.min.js", {{"Accept-Encoding", "gzip"}});
  ASSERT_TRUE(packed);
  EXPECT_EQ(packed->get_header_value("Content-Encoding"), "gzip");
  auto plain = client_->Get("/echarts.min.js", {{"Accept-Encoding", "identity"}});
  EXPECT_LT(packed->body.size(), plain->body.size() / 2);
  EXPECT_NE(packed->get_header_value("ETag"), plain->get_header_value("ETag"));
}

TEST_F(DashboardServerTest, OnlyGetAndHeadWithSmallBodies) {
  auto post = client_->Post("/api/kpis", "x", "text/plain");
  ASSERT_TRUE(post);
  EXPECT_EQ(post->status, 405);
  EXPECT_EQ(post->get_header_value("Allow"), "GET, HEAD");
  auto big = client_->Post("/api/kpis", std::string(1 << 20, 'x'), "text/plain");
  ASSERT_TRUE(big);
  EXPECT_EQ(big->status, 413);
  auto head = client_->Head("/healthz");
  ASSERT_TRUE(head);
  EXPECT_EQ(head->status, 200);
  EXPECT_TRUE(head->body.empty());
}

TEST_F(DashboardServerTest, MetricsAndHealth) {
  auto metrics = client_->Get("/metrics");
  ASSERT_TRUE(metrics);
  EXPECT_NE(metrics->body.find("shopstream_rollup_events_total{event_type=\"view\"} 3"),
            std::string::npos);
  EXPECT_EQ(client_->Get("/healthz")->status, 200);
}

TEST_F(DashboardServerTest, LiveStreamSendsATickAfterACommit) {
  std::string received;
  std::mutex mu;
  bool bumped = false;
  httplib::Client sse("127.0.0.1", server_.port());
  sse.set_read_timeout(std::chrono::seconds(10));
  auto res = sse.Get("/api/events", [&](const char* data, size_t n) {
    std::lock_guard lock(mu);
    received.append(data, n);
    if (!bumped && received.find("event: hello") != std::string::npos) {
      bumped = true;
      store_.Bump();
    }
    return received.find("event: tick") == std::string::npos;  // stop after the first tick
  });
  EXPECT_NE(received.find("event: tick"), std::string::npos) << received;
}

TEST_F(DashboardServerTest, LiveViewAnswersAndThePulseIsPushedAfterACommit) {
  auto live = client_->Get("/api/live");
  ASSERT_TRUE(live);
  EXPECT_EQ(live->status, 200);
  EXPECT_EQ(live->body,
            R"({"pulse":{"as_of":"2019-11-08 10:00:50","step_seconds":10,"points":[)"
            R"({"bucket":"2019-11-08 10:00:40","events":0,"per_second":0},)"
            R"({"bucket":"2019-11-08 10:00:50","events":25,"per_second":2.5}]},)"
            R"("people":{"as_of":"2019-11-08 10:00","users_5m":4,"sessions_5m":5,"users_30m":6,)"
            R"("sessions_30m":7,"users_per_minute":[{"bucket":"2019-11-08 10:00","users":4}]}})");
  auto script = client_->Get("/live.js");
  ASSERT_TRUE(script);
  EXPECT_EQ(script->status, 200);

  std::string received;
  bool bumped = false;
  httplib::Client sse("127.0.0.1", server_.port());
  sse.set_read_timeout(std::chrono::seconds(10));
  sse.Get("/api/events", [&](const char* data, size_t n) {
    received.append(data, n);
    if (!bumped && received.find("event: hello") != std::string::npos) {
      bumped = true;
      store_.Bump();
    }
    return received.find("\n\n", received.find("event: pulse")) == std::string::npos;
  });
  EXPECT_NE(received.find("event: pulse\ndata: {\"as_of\":\"2019-11-08 10:00:50\""),
            std::string::npos)
      << received;
}

TEST_F(DashboardServerTest, TrendingTakesItsParametersAndRefusesOthers) {
  auto got = client_->Get("/api/trending?dimension=product&window=15&by=views&limit=5");
  ASSERT_TRUE(got);
  EXPECT_EQ(got->status, 200);
  EXPECT_EQ(store_.last_trend, std::make_tuple(query::TrendDimension::kProduct, int64_t{15},
                                               query::TrendMetric::kViews, 5));
  EXPECT_EQ(
      got->body,
      R"({"dimension":"product","window_minutes":15,"by":"views","whole_hours":true,)"
      R"("from":"2019-11-08 10:00","to":"2019-11-08 11:00","previous_from":"2019-11-08 09:00",)"
      R"("top":[{"name":"\u003cb\u003etv\u003c/b\u003e","department":"electronics","value":3,)"
      R"("previous":0,"change":null}],"rising":[{"name":"\u003cb\u003etv\u003c/b\u003e",)"
      R"("department":"electronics","value":3,"previous":2,"change":0.5}]})");
  auto defaults = client_->Get("/api/trending?dimension=department");
  ASSERT_TRUE(defaults);
  EXPECT_EQ(store_.last_trend, std::make_tuple(query::TrendDimension::kDepartment, int64_t{60},
                                               query::TrendMetric::kRevenue, 10));
  EXPECT_EQ(defaults->body.find(R"("department":)"), std::string::npos);  // products only
  for (const char* bad : {"/api/trending?dimension=sku", "/api/trending?window=30",
                          "/api/trending?by=profit", "/api/trending?limit=0"}) {
    auto res = client_->Get(bad);
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 400) << bad;
    EXPECT_NE(res->body.find("\"error\""), std::string::npos) << res->body;
  }
}

// A raw connection to 127.0.0.1:port; -1 if it fails.
int ConnectTo(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

// Reads from `fd` until `text` arrives (true) or the server closes or `timeout` passes
// (false); `closed` says whether it closed.
bool ReadFor(int fd, std::string_view text, std::chrono::milliseconds timeout, bool* closed) {
  std::string got;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  *closed = false;
  while (got.find(text) == std::string::npos) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    pollfd p{fd, POLLIN, 0};
    if (left.count() <= 0) return false;
    if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
    char buf[4096];
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) {
      *closed = true;
      return false;
    }
    got.append(buf, static_cast<size_t>(n));
  }
  return true;
}

// Stop() ends the watcher, which broadcasts into the HTTP server, before the HTTP server: while
// the watcher is still in the store, live streams stay open.
TEST(DashboardServerStopTest, TheWatcherStopsBeforeTheHttpServer) {
  FakeQueryStore store;
  DashboardServer server;
  DashboardOptions options;
  options.poll_interval = std::chrono::milliseconds(20);
  ASSERT_TRUE(server.Start("127.0.0.1:0", store, options).ok());
  int fd = ConnectTo(server.port());
  ASSERT_GE(fd, 0);
  const std::string request = "GET /api/events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
  ASSERT_EQ(::send(fd, request.data(), request.size(), MSG_NOSIGNAL),
            static_cast<ssize_t>(request.size()));
  bool closed = false;
  ASSERT_TRUE(ReadFor(fd, "event: hello", std::chrono::seconds(10), &closed));
  ASSERT_TRUE(store.HoldTheWatcher());
  std::thread stopper([&] { server.Stop(); });
  // Stop() waits for the watcher, so nothing closes the stream meanwhile.
  ReadFor(fd, "never sent", std::chrono::milliseconds(500), &closed);
  EXPECT_FALSE(closed) << "the HTTP server stopped while the watcher could still broadcast";
  store.Release();
  stopper.join();
  ReadFor(fd, "never sent", std::chrono::seconds(10), &closed);
  EXPECT_TRUE(closed);
  ::close(fd);
}

// The Host check follows the bound address: "127.1" is 127.0.0.1 spelled otherwise (as a name
// like "ip6-localhost" is ::1), and the check is on.
TEST(DashboardServerHostTest, AnyLoopbackSpellingTurnsTheHostCheckOn) {
  FakeQueryStore store;
  DashboardServer server;
  ASSERT_TRUE(server.Start("127.1:0", store).ok());
  httplib::Client client("127.0.0.1", server.port());
  auto other = client.Get("/api/kpis", {{"Host", "attacker.example"}});
  ASSERT_TRUE(other);
  EXPECT_EQ(other->status, 403);
  EXPECT_EQ(client.Get("/api/kpis", {{"Host", "127.0.0.1"}})->status, 200);
}

TEST(DashboardServerPortTest, TakenPortIsAClearError) {
  FakeQueryStore store;
  DashboardServer first;
  ASSERT_TRUE(first.Start("127.0.0.1:0", store).ok());
  DashboardServer second;
  Status s = second.Start("127.0.0.1:" + std::to_string(first.port()), store);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("taken"), std::string::npos) << s.message();
  EXPECT_FALSE(second.Start("localhost", store).ok());
}

}  // namespace
}  // namespace shopstream::serve
