// The 2019-Nov CSV reader (source/csv_event_reader.h) on the data set's header followed by any
// bytes, handed over in chunks of any size: it must end, skip malformed lines and go on, and
// every event it returns must have the columns that cannot be empty.
//
// Input: byte 0 picks the chunk size (bits 0-2) and whether the header is given (bit 3; without
// it the input must bring its own); the rest is the file.
#include "csv/csv_event_reader.h"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "common/log.h"
#include "fuzz/fuzz_support.h"

using namespace shopstream;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  static bool quiet = [] {
    SetLogLevel(LogLevel::kError);  // one warning per malformed line otherwise
    return true;
  }();
  (void)quiet;
  const uint8_t flags = data[0];
  std::string file;
  if (!(flags & 8)) {
    file =
        "event_time,event_type,product_id,category_id,category_code,brand,price,user_id,"
        "user_session\n";
  }
  file.append(reinterpret_cast<const char*>(data) + 1, size - 1);
  auto reader = csv::CsvEventReader::FromSource(
      csv::MakeViewSource(file, "fuzz.csv", fuzz::ChunkSizeFor(flags)));
  if (!reader.ok()) return 0;
  Event event;
  for (size_t calls = 0;; ++calls) {
    if (calls > file.size() + 2) fuzz::Fail("Next() makes no progress");
    Result<bool> got = (*reader)->Next(&event);
    if (!got.ok() || !*got) break;
    if (event.event_time.empty() || event.event_type.empty()) fuzz::Fail("an empty column");
  }
  if ((*reader)->events_read() + (*reader)->lines_skipped() > file.size()) {
    fuzz::Fail("more events and skipped lines than bytes");
  }
  return 0;
}
