// One dashboard behind one transport, for bench/http_servers/run: `bench_server ours|beast|mhd`
// prints "PORT n", answers the dashboard's routes over a fixed in-memory store (so that the
// transports, not a database, are measured) and broadcasts a tick stamped with CLOCK_MONOTONIC
// every 100 ms to its event streams, until its standard input closes.
#include <poll.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <string>

#include "http_servers/transport.h"
#include "query/rollup_reading.h"
#include "serve/dashboard_server.h"

using namespace shopstream;
using namespace shopstream::query;

namespace {

// Small fixed answers: the work of a handler is the same for every transport.
class FixedStore final : public QueryStore {
 public:
  Result<Kpis> QueryKpis(const TimeRange&, const Filter&) override { return KpisFrom(Totals()); }
  Result<TimeSeries> QueryTimeSeries(const TimeRange&, const Filter&) override {
    return TimeSeries{};
  }
  Result<std::vector<NamedBreakdown>> QueryDepartments(const TimeRange&, const Filter&) override {
    return std::vector<NamedBreakdown>{{"electronics", "", Totals()}};
  }
  Result<std::vector<NamedBreakdown>> QueryTopBrands(const TimeRange&, const Filter&, RankBy,
                                                     int) override {
    return std::vector<NamedBreakdown>{{"samsung", "", Totals()}};
  }
  Result<std::vector<NamedBreakdown>> QueryTopProducts(const TimeRange&, const Filter&, RankBy,
                                                       int) override {
    return std::vector<NamedBreakdown>{};
  }
  Result<std::vector<EventTypeCount>> QueryEventMix(const TimeRange&, const Filter&) override {
    return std::vector<EventTypeCount>{{"view", 10}, {"cart", 6}, {"purchase", 3}};
  }
  Result<Funnel> QueryFunnel(const TimeRange&, const Filter&) override {
    return FunnelFrom(Totals());
  }
  Result<People> QueryPeople(const TimeRange&, const Filter&) override { return People{}; }
  Result<DataExtent> QueryExtent() override {
    return DataExtent{"2019-11-01 00:00", "2019-11-30 23:59"};
  }
  Result<ProcessorStatus> QueryProcessorStatus() override { return ProcessorStatus{}; }
  Result<int64_t> ChangeStamp() override { return 1; }

 private:
  static Breakdown Totals() { return {10, 6, 3, 1, 12.5}; }
};

long long MonotonicNs() {
  timespec t{};
  ::clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1000000000LL + t.tv_nsec;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string impl = argc == 2 ? argv[1] : "";
  std::unique_ptr<bench::Transport> transport;
  if (impl == "ours") transport = bench::MakeOurTransport();
  if (impl == "beast") transport = bench::MakeBeastTransport();
  if (impl == "mhd") transport = bench::MakeMhdTransport();
  if (!transport) {
    std::fprintf(stderr, "usage: bench_server ours|beast|mhd\n");
    return 2;
  }
  FixedStore store;
  serve::DashboardServer dashboard;  // its routes; its own port stays idle
  if (auto s = dashboard.Start("127.0.0.1:0", store); !s.ok()) {
    std::fprintf(stderr, "bench_server: %s\n", s.message().c_str());
    return 1;
  }
  serve::HttpServerOptions options;  // serve's defaults, every limit included
  options.common_headers = {{"X-Content-Type-Options", "nosniff"},
                            {"Referrer-Policy", "no-referrer"},
                            {"Content-Security-Policy", "default-src 'self'"}};
  auto handler = [&dashboard](const serve::HttpRequest& req) { return dashboard.Handle(req); };
  if (auto s = transport->Start(handler, options); !s.ok()) {
    std::fprintf(stderr, "bench_server: %s\n", s.message().c_str());
    return 1;
  }
  std::printf("PORT %d\n", transport->port());
  std::fflush(stdout);
  for (;;) {
    pollfd in{0, POLLIN, 0};
    if (::poll(&in, 1, 100) > 0) {
      char buf[64];
      if (::read(0, buf, sizeof buf) <= 0) break;
    }
    transport->Broadcast("event: tick\ndata: {\"sent_ns\":" + std::to_string(MonotonicNs()) +
                         "}\n\n");
  }
  std::fflush(stdout);
  ::_exit(0);  // no orderly teardown: libmicrohttpd may hold suspended streams
}
