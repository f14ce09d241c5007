// Kernels of the processor: JSON decode of the seed's messages, and decode plus cleaning,
// per core, beside the reference: simdjson's own DOM parse of the same messages (their bare
// NaN tokens written as null, since simdjson refuses NaN), with nothing read out of them.
// Messages are made from the 10K sample (read in place) in the seed's format.
#include <benchmark/benchmark.h>
#include <simdjson.h>

#include <cstdlib>

#include "csv/csv_event_reader.h"
#include "event/clean.h"
#include "event/json_codec.h"
#include "event/uuid.h"

namespace shopstream {
namespace {

const std::vector<std::string>& SampleMessages() {
  static const std::vector<std::string> messages = [] {
    const char* path = std::getenv("SHOPSTREAM_SAMPLE_ZIP");
    auto reader = csv::CsvEventReader::Open(path ? path : SHOPSTREAM_SAMPLE_ZIP);
    if (!reader.ok()) {
      std::fprintf(stderr, "%s\n", reader.status().ToString().c_str());
      std::exit(2);
    }
    std::vector<std::string> out;
    Uuid1Generator ids;
    Event e;
    while ((*reader)->Next(&e).value()) {
      e.event_time = "2022-05-01 18:59:00.123456";
      e.id = ids.Next();
      EncodeEventJson(e, &out.emplace_back());
    }
    return out;
  }();
  return messages;
}

void BM_Decode(benchmark::State& state) {
  const auto& messages = SampleMessages();
  EventDecoder decoder;
  Event e;
  size_t i = 0, bytes = 0;
  for (auto _ : state) {
    const std::string& m = messages[i++ % messages.size()];
    bytes += m.size();
    benchmark::DoNotOptimize(decoder.Decode(m, &e));
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
}
BENCHMARK(BM_Decode);

void BM_DecodeAndClean(benchmark::State& state) {
  const auto& messages = SampleMessages();
  EventDecoder decoder;
  Event e;
  CleanedEvent row;  // reused, as the processor's batches reuse their rows
  size_t i = 0;
  for (auto _ : state) {
    decoder.Decode(messages[i++ % messages.size()], &e);
    benchmark::DoNotOptimize(CleanInto(&e, &row));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_DecodeAndClean);

// The same messages as simdjson parses them: NaN -> null, padded once, outside the timing.
const std::vector<simdjson::padded_string>& PaddedMessages() {
  static const std::vector<simdjson::padded_string> padded = [] {
    std::vector<simdjson::padded_string> out;
    for (const std::string& m : SampleMessages()) {
      std::string json;
      for (size_t i = 0; i < m.size(); ++i) {
        if (m.compare(i, 5, " NaN,") == 0 || m.compare(i, 5, " NaN}") == 0) {
          json.append(" null");
          i += 3;
        } else {
          json.push_back(m[i]);
        }
      }
      out.emplace_back(json);
    }
    return out;
  }();
  return padded;
}

void BM_SimdjsonParse(benchmark::State& state) {
  const auto& messages = PaddedMessages();
  simdjson::dom::parser parser;
  size_t i = 0, bytes = 0;
  for (auto _ : state) {
    const simdjson::padded_string& m = messages[i++ % messages.size()];
    bytes += m.size();
    simdjson::dom::element doc;
    if (parser.parse(m).get(doc)) state.SkipWithError("simdjson refused a message");
    benchmark::DoNotOptimize(doc);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
}
BENCHMARK(BM_SimdjsonParse);

void BM_Encode(benchmark::State& state) {
  const auto& messages = SampleMessages();
  EventDecoder decoder;
  std::vector<Event> events(1000);
  for (size_t k = 0; k < events.size(); ++k) decoder.Decode(messages[k], &events[k]);
  std::string out;
  size_t i = 0;
  for (auto _ : state) {
    out.clear();
    EncodeEventJson(events[i++ % events.size()], &out);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Encode);

}  // namespace
}  // namespace shopstream

BENCHMARK_MAIN();
