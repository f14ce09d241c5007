#include "bench_events.h"

#include <exception>

#include "csv/csv_event_reader.h"
#include "event/uuid.h"

namespace shopstream::bench {

Result<std::vector<Event>> LoadEvents(const std::string& csv_path, size_t count) {
  auto reader = csv::CsvEventReader::Open(csv_path, {.strict = true});
  if (!reader.ok()) return reader.status();
  Uuid1Generator ids;
  std::vector<Event> events;
  events.reserve(count);
  Event e;
  while (events.size() < count) {
    auto more = (*reader)->Next(&e);
    if (!more.ok()) return more.status();
    if (!*more) break;
    e.id = ids.Next();
    events.push_back(e);
  }
  return events;
}

void AppendTsvField(std::string* line, std::string_view value) {
  for (char c : value) {
    switch (c) {
      case '\\':
        *line += "\\\\";
        break;
      case '\t':
        *line += "\\t";
        break;
      case '\n':
        *line += "\\n";
        break;
      case '\r':
        *line += "\\r";
        break;
      default:
        *line += c;
    }
  }
}

bool ParseStoreBenchArgs(int argc, char** argv, const std::string& out_flag, StoreBenchArgs* args) {
  if (argc % 2 == 0) return false;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i], value = argv[i + 1];
    if (flag == "--csv") {
      args->csv = value;
    } else if (flag == "--to") {
      args->to = value;
    } else if (flag == out_flag) {
      args->out = value;
    } else if (flag == "--count" || flag == "--batch") {
      size_t n = 0;
      try {
        n = std::stoul(value);
      } catch (const std::exception&) {
        return false;
      }
      (flag == "--count" ? args->count : args->batch) = n;
    } else {
      return false;
    }
  }
  return !args->csv.empty() && !args->to.empty() && !args->out.empty() && args->count > 0 &&
         args->batch > 0;
}

}  // namespace shopstream::bench
