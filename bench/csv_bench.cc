// CSV reading and data generation kernels. The reference for the readers is a plain newline
// count of the same buffer (what `wc -l` does): the cheapest possible pass over the bytes.
// Run: build/bench/csv_bench --benchmark_counters_tabular=true
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstring>
#include <string>

#include "csv/csv_reader.h"
#include "generate/generator.h"

namespace shopstream::csv {
namespace {

using generate::Generator;

constexpr uint64_t kRows = 200000;  // ~27 MB of CSV: larger than the caches, like a real file

const std::string& PlainCsv() {
  static const std::string text = [] {
    generate::Generator generator({.rows = kRows, .seed = 1});
    std::string out(generate::Generator::Header());
    while (generator.Generate(65536, &out) > 0) {
    }
    return out;
  }();
  return text;
}

// The same rows written the way the 10K sample is: every empty field as "".
const std::string& QuotedCsv() {
  static const std::string text = [] {
    const std::string& plain = PlainCsv();
    std::string out;
    out.reserve(plain.size() * 11 / 10);
    char previous = '\n';
    for (size_t i = 0; i < plain.size(); ++i) {
      char c = plain[i];
      bool field_start = previous == ',' || previous == '\n';
      if (field_start && i > plain.find('\n') && (c == ',' || c == '\n')) out += "\"\"";
      out += c;
      previous = c;
    }
    return out;
  }();
  return text;
}

void Report(benchmark::State& state, const std::string& text, uint64_t rows) {
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text.size()));
  state.counters["rows/s"] = benchmark::Counter(static_cast<double>(rows) * state.iterations(),
                                                benchmark::Counter::kIsRate);
}

void BM_NewlineCount(benchmark::State& state) {
  const std::string& text = PlainCsv();
  uint64_t lines = 0;
  for (auto _ : state) {
    lines = 0;
    const char* p = text.data();
    const char* end = p + text.size();
    while ((p = static_cast<const char*>(std::memchr(p, '\n', end - p))) != nullptr) {
      ++lines;
      ++p;
    }
    benchmark::DoNotOptimize(lines);
  }
  Report(state, text, lines);
}
BENCHMARK(BM_NewlineCount);

void ReadRecords(benchmark::State& state, const std::string& text) {
  uint64_t rows = 0;
  for (auto _ : state) {
    auto reader = CsvRecordReader::FromSource(MakeMemorySource(text, "bench.csv"), {});
    CsvRecord record;
    rows = 0;
    size_t width = 0;
    while (*(*reader)->Next(&record)) {
      width += record.fields[6].size();
      ++rows;
    }
    benchmark::DoNotOptimize(width);
  }
  Report(state, text, rows);
}

void BM_RecordReader(benchmark::State& state) { ReadRecords(state, PlainCsv()); }
BENCHMARK(BM_RecordReader);

void BM_RecordReaderQuotedEmpties(benchmark::State& state) { ReadRecords(state, QuotedCsv()); }
BENCHMARK(BM_RecordReaderQuotedEmpties);

void BM_EventReader(benchmark::State& state) {
  const std::string& text = PlainCsv();
  uint64_t rows = 0;
  for (auto _ : state) {
    auto reader = CsvEventReader::FromSource(MakeMemorySource(text, "bench.csv"));
    Event event;
    rows = 0;
    double sum = 0;
    while (*(*reader)->Next(&event)) {
      sum += event.price;
      ++rows;
    }
    benchmark::DoNotOptimize(sum);
  }
  Report(state, text, rows);
}
BENCHMARK(BM_EventReader);

void BM_Generate(benchmark::State& state) {
  constexpr size_t kChunk = 1 << 20;
  std::string buffer(kChunk, '\0');
  uint64_t rows = 0, bytes = 0;
  for (auto _ : state) {
    generate::Generator generator({.rows = kRows, .seed = 1});
    size_t written = 0;
    while (generator.Generate(buffer.data(), kChunk, &written) > 0) bytes += written;
    rows += kRows;
  }
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
  state.counters["rows/s"] =
      benchmark::Counter(static_cast<double>(rows), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_Generate)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace shopstream::csv

BENCHMARK_MAIN();
