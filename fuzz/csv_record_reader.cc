// The CSV record reader (source/csv_record_reader.h) on any bytes, handed over in chunks of
// any size, with or without a header line and with small record limits. It must end, skip
// malformed records with a Corruption status and go on, never read or write out of bounds,
// and every record it returns must have the expected number of fields.
//
// Input: byte 0 picks the options (bits 0-2 the chunk size, bit 3 headerless, bits 4-5 the
// record limit, bits 6-7 the headerless width); the rest is the file.
#include "csv/csv_record_reader.h"

#include <cstddef>
#include <cstdint>
#include <memory>

#include "fuzz/fuzz_support.h"

using namespace shopstream;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const uint8_t flags = data[0];
  std::string_view file(reinterpret_cast<const char*>(data) + 1, size - 1);

  csv::CsvReaderOptions options;
  static constexpr size_t kLimits[] = {8, 64, 1024, 1 << 20};
  options.max_record_bytes = kLimits[(flags >> 4) & 3];
  options.line_breaks_in_quotes = (flags & 4) == 0;
  if (flags & 8) {
    options.headerless_fields = 1 + (flags >> 6) * 3;  // 1, 4, 7 or 10
    options.start_offset = 1000;
  }
  auto reader = csv::CsvRecordReader::FromSource(
      csv::MakeViewSource(file, "fuzz.csv", fuzz::ChunkSizeFor(flags)), options);
  if (!reader.ok()) return 0;
  const size_t width =
      options.headerless_fields != 0 ? options.headerless_fields : (*reader)->header().size();
  // Each call consumes at least one byte or ends the data: more calls than bytes is a hang.
  for (size_t calls = 0;; ++calls) {
    if (calls > file.size() + 2) fuzz::Fail("Next() makes no progress");
    csv::CsvRecord record;
    Result<bool> got = (*reader)->Next(&record);
    if (!got.ok()) {
      if (got.status().code() != StatusCode::kCorruption) break;
      continue;
    }
    if (!*got) break;
    if (record.fields.size() != width) fuzz::Fail("a record of the wrong width");
    if (record.raw.empty() || record.raw.size() > file.size()) fuzz::Fail("a record's bytes");
    size_t value_bytes = 0;
    for (std::string_view f : record.fields) value_bytes += f.size();
    if (value_bytes > record.raw.size()) fuzz::Fail("values longer than their record");
    if (record.offset < options.start_offset ||
        record.offset - options.start_offset + record.raw.size() > file.size()) {
      fuzz::Fail("a record's offset");
    }
  }
  return 0;
}
