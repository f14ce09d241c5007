// The Cassandra raw store on its own, as the processor drives it: N events from a CSV written
// through CassandraRawStore in micro-batches of the processor's size, timed from the first
// Write to the last, with this process's CPU seconds over the same span (getrusage). Before
// timing it writes the same events as a TSV (\N for a missing value) for the reference client.
//
//   cassandra_store_bench --csv FILE --count N --to cassandra://HOST:PORT/KS.TABLE --dump OUT
//                         [--batch 20000]
// Prints one line: rows=... seconds=... rows_per_s=... cpu_seconds=...
#include <cstdio>
#include <fstream>
#include <iostream>
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

  return shopstream::bench::TimeWrites(batches, events->size(), "write",
                                       [&](const auto& b) { return store->Write(b); });
}
