// Reads the 2019-Nov CSV as Events: the nine columns checked in the header, numbers parsed,
// empty optional columns as std::nullopt. Malformed lines are skipped with one warning each
// (or stop the reading with `strict`).
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "common/status.h"
#include "csv/csv_record_reader.h"
#include "event/event.h"

namespace shopstream::csv {

// The header of the 2019-Nov data set, in order.
inline constexpr std::array<std::string_view, 9> kEventCsvColumns = {
    "event_time", "event_type", "product_id", "category_id", "category_code",
    "brand",      "price",      "user_id",    "user_session"};

// Fills `*event` from the nine fields of one record (its id is left untouched). An empty
// category_code, brand or user_session becomes std::nullopt. InvalidArgument names the
// column and value that is wrong (a bad or empty number, an empty event_time or event_type).
Status EventFromFields(std::span<const std::string_view> fields, Event* event);

struct EventReaderOptions {
  bool strict = false;  // a malformed line is an error instead of a warning
};

// Not thread-safe.
class CsvEventReader {
 public:
  // Opens a .csv, .csv.gz or one-file .zip. NotFound / IoError name the file; a header that
  // is not the nine columns is InvalidArgument.
  static Result<std::unique_ptr<CsvEventReader>> Open(const std::string& path,
                                                      const EventReaderOptions& options = {});
  static Result<std::unique_ptr<CsvEventReader>> FromSource(std::unique_ptr<ByteSource> source,
                                                            const EventReaderOptions& options = {});

  // True with the next event, false at the end. Malformed lines are logged as a warning
  // naming the file and line, counted and skipped; with `strict` the first one is returned
  // as a Corruption status instead.
  Result<bool> Next(Event* event);

  uint64_t events_read() const { return events_; }
  uint64_t lines_skipped() const { return skipped_; }
  uint64_t bytes_consumed() const { return records_->bytes_consumed(); }
  uint64_t total_bytes() const { return records_->total_bytes(); }
  const std::string& name() const { return records_->name(); }

 private:
  CsvEventReader(std::unique_ptr<CsvRecordReader> records, const EventReaderOptions& options)
      : records_(std::move(records)), options_(options) {}

  std::unique_ptr<CsvRecordReader> records_;
  EventReaderOptions options_;
  uint64_t events_ = 0;
  uint64_t skipped_ = 0;
};

}  // namespace shopstream::csv
