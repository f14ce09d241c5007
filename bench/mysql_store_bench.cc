// A client-server processed store on its own (MySQL/MariaDB or PostgreSQL, by the URI's
// scheme), as the processor drives it: N events from a CSV are cleaned up front, then committed
// in micro-batches of the processor's size (rows, rollups, offsets and stats in one transaction
// each), timed from the first Commit to the last. Before timing it writes the same cleaned rows
// as a TSV, for the server's own bulk load (LOAD DATA INFILE, psql's \copy) to load into an
// identical table as the reference.
//
//   mysql_store_bench --csv FILE --count N --to mysql://USER@HOST:PORT/DB.TABLE --tsv OUT
//                     [--batch 20000]
//   mysql_store_bench ... --to postgres://USER@HOST:PORT/DB.SCHEMA.TABLE ...
// Prints one line: rows=... seconds=... rows_per_s=... cpu_seconds=...
#include <charconv>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <string>

#include "bench_events.h"
#include "common/uri.h"
#include "endpoints/open_store.h"
#include "event/clean.h"

namespace {

using shopstream::CleanedEvent;
using shopstream::bench::AppendTsvField;

void AppendNumber(std::string* line, double value) {
  char buf[32];
  auto end = std::to_chars(buf, buf + sizeof buf, value).ptr;  // shortest exact form
  line->append(buf, end);
}

bool WriteTsv(const std::vector<CleanedEvent>& rows, const std::string& path) {
  std::ofstream out(path, std::ios::binary);
  std::string line;
  for (const CleanedEvent& r : rows) {
    line.clear();
    for (const std::string* field :
         {&r.id, &r.event_time, &r.event_type, &r.department, &r.product, &r.brand}) {
      AppendTsvField(&line, *field);
      line += '\t';
    }
    AppendNumber(&line, r.price);
    line += '\t';
    AppendNumber(&line, r.revenue);
    line += '\n';
    out << line;
  }
  return static_cast<bool>(out.flush());
}

int Usage() {
  std::cerr << "usage: mysql_store_bench --csv FILE --count N --to mysql://USER@HOST:PORT/DB.TABLE "
               "(or postgres://USER@HOST:PORT/DB.SCHEMA.TABLE) --tsv OUT [--batch 20000]\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  shopstream::bench::StoreBenchArgs args;
  if (!shopstream::bench::ParseStoreBenchArgs(argc, argv, "--tsv", &args)) return Usage();
  const std::string& csv = args.csv;
  const std::string& tsv = args.out;
  const size_t batch = args.batch;

  auto events = shopstream::bench::LoadEvents(csv, args.count);
  if (!events.ok()) {
    std::cerr << csv << ": " << events.status().ToString() << "\n";
    return 1;
  }
  std::vector<CleanedEvent> rows;
  rows.reserve(events->size());
  for (shopstream::Event& e : *events) {
    auto cleaned = shopstream::Clean(&e);
    if (cleaned.ok()) rows.push_back(std::move(cleaned).value());
  }
  if (!WriteTsv(rows, tsv)) {
    std::cerr << tsv << ": cannot write the cleaned rows\n";
    return 1;
  }

  int exit_code = 0;
  auto store = shopstream::bench::OpenInitializedStore(
      args.to,
      [](const shopstream::Uri& uri) {
        return shopstream::endpoints::OpenProcessedStore(uri.text);
      },
      &exit_code);
  if (!store) return exit_code;

  // The batches are built before timing, as the processor has them ready when it commits.
  std::vector<shopstream::store::ProcessedBatch> batches;
  for (size_t start = 0; start < rows.size(); start += batch) {
    const size_t end = std::min(rows.size(), start + batch);
    shopstream::store::ProcessedBatch& b = batches.emplace_back();
    b.stream = "bench";
    b.rows.assign(rows.begin() + static_cast<long>(start), rows.begin() + static_cast<long>(end));
    b.next_offsets[0] = static_cast<int64_t>(end);
    b.lag = static_cast<int64_t>(rows.size() - end);
  }

  return shopstream::bench::TimeWrites(batches, rows.size(), "commit",
                                       [&](const auto& b) { return store->Commit(b); });
}
