#include "csv/csv_event_reader.h"

#include <charconv>
#include <cmath>
#include <type_traits>

#include "common/log.h"
#include "common/text.h"

namespace shopstream::csv {
namespace {

CsvReaderOptions RecordOptions() {
  CsvReaderOptions options;
  options.expected_header.assign(kEventCsvColumns.begin(), kEventCsvColumns.end());
  // No column of the event data holds a line break: a stray quote spoils one line, not fifty.
  options.line_breaks_in_quotes = false;
  return options;
}

template <typename Number>
Status ParseNumber(std::string_view column, std::string_view text, Number* out) {
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, *out);
  if (text.empty() || ec != std::errc() || ptr != end) {
    return Status::InvalidArgument(std::string(column) + " " + QuoteValue(text) +
                                   " is not a number");
  }
  // from_chars reads "nan" and "inf" too; no price of the data set is either.
  if constexpr (std::is_floating_point_v<Number>) {
    if (!std::isfinite(*out)) {
      return Status::InvalidArgument(std::string(column) + " " + QuoteValue(text) +
                                     " is not a finite number");
    }
  }
  return Status::Ok();
}

void AssignOptional(std::string_view text, std::optional<std::string>* out) {
  if (text.empty()) {
    out->reset();
  } else if (out->has_value()) {
    (*out)->assign(text);  // reuses the string's memory
  } else {
    out->emplace(text);
  }
}

}  // namespace

Status EventFromFields(std::span<const std::string_view> fields, Event* event) {
  if (fields.size() != kEventCsvColumns.size()) {
    return Status::InvalidArgument("expected " + std::to_string(kEventCsvColumns.size()) +
                                   " fields, found " + std::to_string(fields.size()));
  }
  if (fields[0].empty()) return Status::InvalidArgument("event_time is empty");
  if (fields[1].empty()) return Status::InvalidArgument("event_type is empty");
  Status s = ParseNumber(kEventCsvColumns[2], fields[2], &event->product_id);
  if (s.ok()) s = ParseNumber(kEventCsvColumns[3], fields[3], &event->category_id);
  if (s.ok()) s = ParseNumber(kEventCsvColumns[6], fields[6], &event->price);
  if (s.ok()) s = ParseNumber(kEventCsvColumns[7], fields[7], &event->user_id);
  if (!s.ok()) return s;
  event->event_time.assign(fields[0]);
  event->event_type.assign(fields[1]);
  AssignOptional(fields[4], &event->category_code);
  AssignOptional(fields[5], &event->brand);
  AssignOptional(fields[8], &event->user_session);
  return Status::Ok();
}

Result<std::unique_ptr<CsvEventReader>> CsvEventReader::Open(const std::string& path,
                                                             const EventReaderOptions& options) {
  auto records = CsvRecordReader::Open(path, RecordOptions());
  if (!records.ok()) return records.status();
  return std::unique_ptr<CsvEventReader>(new CsvEventReader(std::move(records).value(), options));
}

Result<std::unique_ptr<CsvEventReader>> CsvEventReader::FromSource(
    std::unique_ptr<ByteSource> source, const EventReaderOptions& options) {
  auto records = CsvRecordReader::FromSource(std::move(source), RecordOptions());
  if (!records.ok()) return records.status();
  return std::unique_ptr<CsvEventReader>(new CsvEventReader(std::move(records).value(), options));
}

Result<bool> CsvEventReader::Next(Event* event) {
  for (;;) {
    CsvRecord record;
    Result<bool> got = records_->Next(&record);
    Status problem;
    if (!got.ok()) {
      if (got.status().code() != StatusCode::kCorruption) return got.status();
      problem = got.status();
    } else if (!*got) {
      return false;
    } else {
      Status s = EventFromFields(record.fields, event);
      if (s.ok()) {
        ++events_;
        return true;
      }
      problem = Status::Corruption(name() + ":" + std::to_string(record.line) + ": " + s.message());
    }
    if (options_.strict) return problem;
    ++skipped_;
    LogWarn("skipping malformed line " + problem.message());
  }
}

}  // namespace shopstream::csv
