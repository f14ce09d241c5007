// The Cassandra raw store on its own, as the processor drives it: N events from a CSV written
// through CassandraRawStore in micro-batches of the processor's size, timed from the first
// Write to the last, with this process's CPU seconds over the same span (getrusage). Before
// timing it writes the same events as a TSV (\N for a missing value) for the reference client.
// With SHOPSTREAM_BENCH_SERVER_PID set (the Cassandra JVM's pid), the server's CPU seconds
// over the same span too, from /proc/PID/stat: what the server spent on the rows.
//
//   cassandra_store_bench --csv FILE --count N --to cassandra://HOST:PORT/KS.TABLE --dump OUT
//                         [--batch 20000]
// Prints one line: rows=... seconds=... rows_per_s=... cpu_seconds=... [server_cpu_seconds=...]
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>

#include "bench_events.h"
#include "cassandra/cassandra_raw_store.h"
#include "common/uri.h"

namespace {

using shopstream::Event;
using shopstream::bench::AppendTsvField;

void AppendOptional(std::string* line, const std::optional<std::string>& value) {
  if (value)
    AppendTsvField(line, *value);
  else
    *line += "\\N";
}

bool WriteDump(const std::vector<Event>& events, const std::string& path) {
  std::ofstream out(path, std::ios::binary);
  std::string line;
  for (const Event& e : events) {
    line.clear();
    AppendTsvField(&line, e.id);
    line += '\t';
    AppendTsvField(&line, e.event_time);
    line += '\t';
    AppendTsvField(&line, e.event_type);
    line += '\t' + std::to_string(e.product_id) + '\t' + std::to_string(e.category_id) + '\t';
    AppendOptional(&line, e.category_code);
    line += '\t';
    AppendOptional(&line, e.brand);
    char price[32];
    std::snprintf(price, sizeof price, "\t%.9g\t", static_cast<float>(e.price));  // a CQL float
    line += price + std::to_string(e.user_id) + '\t';
    AppendOptional(&line, e.user_session);
    line += '\n';
    out << line;
  }
  return static_cast<bool>(out.flush());
}

// utime + stime of process `pid` (all its threads) in seconds; nullopt if it cannot be read.
std::optional<double> ServerCpuSeconds(const std::string& pid) {
  std::ifstream in("/proc/" + pid + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  // The command name may hold spaces and parentheses: the fields start after the last ')'.
  const size_t end = stat.rfind(')');
  if (end == std::string::npos) return std::nullopt;
  std::istringstream fields(stat.substr(end + 1));
  std::string field;
  unsigned long long utime = 0, stime = 0;
  // After ')' come state (field 3) ... utime is field 14, stime field 15.
  for (int k = 3; k <= 15 && fields >> field; ++k) {
    if (k == 14) utime = std::stoull(field);
    if (k == 15) stime = std::stoull(field);
  }
  if (!fields) return std::nullopt;
  return static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

int Usage() {
  std::cerr
      << "usage: cassandra_store_bench --csv FILE --count N --to cassandra://HOST:PORT/KS.TABLE "
         "--dump OUT [--batch 20000]\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  shopstream::bench::StoreBenchArgs args;
  if (!shopstream::bench::ParseStoreBenchArgs(argc, argv, "--dump", &args)) return Usage();
  const std::string& csv = args.csv;
  const std::string& dump = args.out;
  const size_t batch = args.batch;

  auto events = shopstream::bench::LoadEvents(csv, args.count);
  if (!events.ok()) {
    std::cerr << csv << ": " << events.status().ToString() << "\n";
    return 1;
  }
  if (!WriteDump(*events, dump)) {
    std::cerr << dump << ": cannot write the events\n";
    return 1;
  }
  int exit_code = 0;
  auto store = shopstream::bench::OpenInitializedStore(
      args.to,
      [](const shopstream::Uri& uri) { return shopstream::cassandra::OpenCassandraRawStore(uri); },
      &exit_code);
  if (!store) return exit_code;
  // The batches are built before timing, as the processor has them ready when it writes.
  std::vector<std::vector<Event>> batches;
  for (size_t start = 0; start < events->size(); start += batch) {
    const auto first = events->begin() + static_cast<long>(start);
    batches.emplace_back(first, first + static_cast<long>(std::min(batch, events->size() - start)));
  }

  const char* server_pid = std::getenv("SHOPSTREAM_BENCH_SERVER_PID");
  const std::optional<double> server0 =
      server_pid ? ServerCpuSeconds(server_pid) : std::optional<double>();
  if (server_pid && !server0) {
    std::cerr << "cannot read /proc/" << server_pid << "/stat\n";
    return 1;
  }
  const int rc = shopstream::bench::TimeWrites(batches, events->size(), "write",
                                               [&](const auto& b) { return store->Write(b); });
  if (rc != 0 || !server0) return rc;
  // Read right after TimeWrites' line, so the span is the writes' within a few microseconds.
  const std::optional<double> server1 = ServerCpuSeconds(server_pid);
  if (!server1) return 1;
  std::printf("server_cpu_seconds=%.3f\n", *server1 - *server0);
  return 0;
}
