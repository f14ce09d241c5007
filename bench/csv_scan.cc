// Times reading a CSV with shopstream's event reader (parse, convert to Events), for the
// benchmark beside `wc -l` on the same file. Usage: csv_scan FILE
#include <chrono>
#include <cstdio>

#include "csv/csv_event_reader.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s FILE\n", argv[0]);
    return 2;
  }
  const auto start = std::chrono::steady_clock::now();
  auto reader = shopstream::csv::CsvEventReader::Open(argv[1]);
  if (!reader.ok()) {
    std::fprintf(stderr, "%s\n", reader.status().ToString().c_str());
    return 2;
  }
  shopstream::Event e;
  uint64_t rows = 0;
  while ((*reader)->Next(&e).value()) ++rows;
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  double mb = (*reader)->bytes_consumed() / 1e6;
  std::printf("rows=%llu mb=%.1f seconds=%.3f mb_per_s=%.1f\n",
              static_cast<unsigned long long>(rows), mb, seconds, mb / seconds);
  return 0;
}
