// The dashboard's HTTP request path end to end: the bytes of the input are sent over loopback
// to a running DashboardServer (its event loop, request parser, Host check, router, API
// handlers and JSON over a small in-memory store), then the client closes its side. The server
// must answer every complete request and close; every answer must be a well-formed HTTP/1.1
// response, never a 500, and every JSON body must parse.
//
// Input: raw request bytes, e.g. "GET /api/kpis?from=2019-11-01 HTTP/1.1\r\nHost:
// localhost\r\n\r\n".
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <simdjson.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

#include "common/log.h"
#include "fuzz/fuzz_support.h"
#include "query/rollup_reading.h"
#include "serve/dashboard_server.h"

using namespace shopstream;
using namespace shopstream::query;
using shopstream::fuzz::Fail;

namespace {

// Answers with names a hostile stream could have put in the rollups, and the real series
// logic over an extent that ends on a day that does not exist.
class FakeStore final : public QueryStore {
 public:
  Result<Kpis> QueryKpis(const TimeRange&, const Filter&) override { return KpisFrom(Totals()); }
  Result<TimeSeries> QueryTimeSeries(const TimeRange& range, const Filter&) override {
    auto span = SeriesSpanFor(range, Extent());
    if (!span.ok()) return span.status();
    if (!span->has_value()) return TimeSeries{};
    return FillSeries(**span, {{"2019-02-27", Totals()}, {"2019-02-30 10:00", Totals()}});
  }
  Result<std::vector<NamedBreakdown>> QueryDepartments(const TimeRange&, const Filter&) override {
    return Names();
  }
  Result<std::vector<NamedBreakdown>> QueryTopBrands(const TimeRange&, const Filter&, RankBy,
                                                     int limit) override {
    auto names = Names();
    names.resize(std::min<size_t>(names.size(), static_cast<size_t>(limit)));
    return names;
  }
  Result<std::vector<NamedBreakdown>> QueryTopProducts(const TimeRange& r, const Filter& f,
                                                       RankBy by, int limit) override {
    return QueryTopBrands(r, f, by, limit);
  }
  Result<std::vector<EventTypeCount>> QueryEventMix(const TimeRange&, const Filter&) override {
    return std::vector<EventTypeCount>{{"view", 3}, {"\"></script>", 1}};
  }
  Result<Funnel> QueryFunnel(const TimeRange&, const Filter&) override {
    return FunnelFrom(Totals());
  }
  Result<People> QueryPeople(const TimeRange&, const Filter&) override {
    People p;
    p.users = 3;
    p.counted_since = "2019-02-30 10:00";
    return p;
  }
  Result<DataExtent> QueryExtent() override { return Extent(); }
  Result<ProcessorStatus> QueryProcessorStatus() override {
    ProcessorStatus s;
    s.streams.push_back({"log\n\"x\\", 1, 2, 3, 4.5, 6, "2019-11-08 08:00:00"});
    return s;
  }
  // The live, trending and alert views answer too, so that their parameters and JSON are reached.
  Result<Pulse> QueryPulse() override {
    Pulse p;
    p.as_of = "2019-02-30 10:00:00";
    p.points.push_back({"2019-02-30 09:59:50", 7});
    return p;
  }
  Result<LivePeople> QueryLivePeople() override {
    LivePeople p;
    p.as_of = "2019-02-30 10:00";
    p.users_per_minute.push_back({"2019-02-30 10:00", 3});
    return p;
  }
  Result<Trending> QueryTrending(TrendDimension, int64_t, TrendMetric, int limit) override {
    Trending t;
    t.from = "2019-02-30 09:00";
    for (const NamedBreakdown& n : Names()) {
      if (static_cast<int>(t.top.size()) >= limit) break;
      t.top.push_back({n.name, n.department, 2, 0, std::nullopt});
      t.rising.push_back({n.name, n.department, 2, 1, 1.0});
    }
    return t;
  }
  Result<AlertReport> QueryAlerts(int limit) override {
    AlertReport r;
    AlertChange c{"rule\n\"x", "fired", "2019-02-30 10:00:00", "purchases", 1, 2, 3};
    r.firing.push_back(c);
    for (int i = 0; i < limit && i < 3; ++i) r.history.push_back(c);
    r.fired_total.emplace_back(c.rule, 1);
    return r;
  }
  Result<int64_t> ChangeStamp() override { return 1; }

 private:
  static Breakdown Totals() { return {10, 6, 3, 1, 12.5}; }
  static DataExtent Extent() { return {"2019-02-27 10:00", "2019-02-30 10:00"}; }
  static std::vector<NamedBreakdown> Names() {
    return {{"<img src=x onerror=alert(1)>", "", Totals()},
            {"\x01\x1b[31mred\xe2\x80\xa8", "a\\b", Totals()},
            {"\xc3\xa9l\xc3\xa9gant", "NaN", Totals()}};
  }
};

serve::DashboardServer& Server() {
  static FakeStore store;
  static serve::DashboardServer* server = [] {
    SetLogLevel(LogLevel::kError);
    auto* s = new serve::DashboardServer;
    serve::DashboardOptions options;
    options.http.workers = 2;
    if (!s->Start("127.0.0.1:0", store, options).ok()) Fail("the server did not start");
    return s;
  }();
  return *server;
}

size_t ToSize(std::string_view digits) {
  size_t n = 0;
  for (char c : digits) {
    if (c < '0' || c > '9' || n > (1u << 30)) Fail("a bad Content-Length in an answer");
    n = n * 10 + static_cast<size_t>(c - '0');
  }
  return n;
}

// Checks the answers in `bytes`, one after another.
void CheckResponses(std::string_view bytes) {
  static simdjson::dom::parser parser;
  while (!bytes.empty()) {
    if (bytes.substr(0, 9) != "HTTP/1.1 " || bytes.size() < 12) Fail("not an HTTP/1.1 answer");
    const int status = (bytes[9] - '0') * 100 + (bytes[10] - '0') * 10 + (bytes[11] - '0');
    if (status < 200 || status > 599) Fail("a status code out of range");
    if (status == 500) Fail("a 500");
    const size_t head_end = bytes.find("\r\n\r\n");
    if (head_end == std::string_view::npos) Fail("an answer without the end of its head");
    const std::string_view head = bytes.substr(0, head_end + 2);
    auto header = [&](std::string_view name) -> std::optional<std::string_view> {
      size_t at = head.find(std::string("\r\n").append(name).append(": "));
      if (at == std::string_view::npos) return std::nullopt;
      std::string_view rest = head.substr(at + 4 + name.size());
      return rest.substr(0, rest.find("\r\n"));
    };
    bytes.remove_prefix(head_end + 4);
    auto length = header("Content-Length");
    if (!length) {
      // Only an event stream runs to the end of the connection.
      if (header("Content-Type") != std::optional<std::string_view>("text/event-stream")) {
        Fail("an answer without a length");
      }
      return;
    }
    const size_t size = ToSize(*length);
    // A HEAD answer states the length of the body it leaves out: what follows it is the next
    // answer or nothing (no body of the dashboard starts like an answer).
    if (bytes.empty() || bytes.substr(0, 9) == "HTTP/1.1 ") continue;
    if (size > bytes.size()) Fail("an answer shorter than its length");
    const std::string_view body = bytes.substr(0, size);
    if (header("Content-Type") ==
            std::optional<std::string_view>("application/json; charset=utf-8") &&
        !header("Content-Encoding") && !body.empty()) {
      simdjson::padded_string padded(body);
      simdjson::dom::element doc;
      if (parser.parse(padded).get(doc)) {
        std::fprintf(stderr, "%.*s\n", static_cast<int>(body.size()), body.data());
        Fail("a JSON body that does not parse");
      }
    }
    bytes.remove_prefix(size);
  }
}

// A connection to the server. The client closes first, so each connection leaves a TIME_WAIT
// for a minute: at thousands of inputs a second one source address would run out of ports,
// so the source rotates through 127.0.0.0/16 (the server checks Host, not the source).
int Connect(int port) {
  static uint32_t next_source = 0;
  for (int attempt = 0; attempt < 100; ++attempt) {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) Fail("socket");
    sockaddr_in source{};
    source.sin_family = AF_INET;
    source.sin_addr.s_addr = htonl(0x7F000000u | (1 + next_source++ % 65000));
    sockaddr_in server{};
    server.sin_family = AF_INET;
    server.sin_port = htons(static_cast<uint16_t>(port));
    server.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::bind(fd, reinterpret_cast<sockaddr*>(&source), sizeof source) == 0 &&
        ::connect(fd, reinterpret_cast<sockaddr*>(&server), sizeof server) == 0) {
      return fd;
    }
    std::fprintf(stderr, "connect: %s\n", std::strerror(errno));
    ::close(fd);
  }
  Fail("connect");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  serve::DashboardServer& server = Server();
  const int fd = Connect(server.port());
  // Sent and read together, so that neither side blocks on a full socket buffer.
  size_t sent = 0;
  bool shut = false;
  std::string received;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  for (;;) {
    if (sent == size && !shut) {
      ::shutdown(fd, SHUT_WR);
      shut = true;
    }
    pollfd p{fd, static_cast<short>(POLLIN | (shut ? 0 : POLLOUT)), 0};
    if (std::chrono::steady_clock::now() > deadline) Fail("the server did not close");
    if (::poll(&p, 1, 1000) <= 0) continue;
    if (p.revents & POLLOUT) {
      ssize_t n = ::send(fd, data + sent, size - sent, MSG_NOSIGNAL | MSG_DONTWAIT);
      if (n > 0) sent += static_cast<size_t>(n);
      if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
        sent = size;  // the server closed: what it answered is checked below
      }
    }
    if (p.revents & (POLLIN | POLLHUP | POLLERR)) {
      char buf[65536];
      ssize_t n = ::recv(fd, buf, sizeof buf, MSG_DONTWAIT);
      if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)) break;
      if (n > 0) received.append(buf, static_cast<size_t>(n));
    }
  }
  ::close(fd);
  CheckResponses(received);
  return 0;
}
