#include "csv/csv_record_reader.h"

#include <algorithm>
#include <cstring>

namespace shopstream::csv {
namespace {

constexpr size_t kInitialBuffer = 1 << 20;
constexpr char kUtf8Bom[] = "\xEF\xBB\xBF";

std::string Join(const std::vector<std::string>& columns) {
  std::string out;
  for (const auto& c : columns) {
    if (!out.empty()) out += ',';
    out += c;
  }
  return out;
}

}  // namespace

CsvRecordReader::CsvRecordReader(std::unique_ptr<ByteSource> source,
                                 const CsvReaderOptions& options)
    : source_(std::move(source)),
      max_record_bytes_(options.max_record_bytes),
      line_breaks_in_quotes_(options.line_breaks_in_quotes),
      buffer_(std::max(kInitialBuffer, options.max_record_bytes)),
      buffer_offset_(options.start_offset),
      lines_known_(options.headerless_fields == 0),
      expected_fields_(options.headerless_fields) {
  fields_.reserve(16);
}

Result<std::unique_ptr<CsvRecordReader>> CsvRecordReader::Open(const std::string& path,
                                                               const CsvReaderOptions& options) {
  auto source = OpenByteSource(path);
  if (!source.ok()) return source.status();
  return FromSource(std::move(source).value(), options);
}

Result<std::unique_ptr<CsvRecordReader>> CsvRecordReader::FromSource(
    std::unique_ptr<ByteSource> source, const CsvReaderOptions& options) {
  std::unique_ptr<CsvRecordReader> reader(new CsvRecordReader(std::move(source), options));
  if (options.headerless_fields != 0) return reader;
  Status s = reader->ReadHeader(options);
  if (!s.ok()) return s;
  return reader;
}

Status CsvRecordReader::ReadHeader(const CsvReaderOptions& options) {
  CsvRecord record;
  Result<bool> got = NextAnyWidth(&record);
  if (!got.ok()) {
    if (got.status().code() == StatusCode::kCorruption) {
      return Status::InvalidArgument("bad header line: " + got.status().message());
    }
    return got.status();
  }
  if (!*got) return Status::InvalidArgument(name() + ": empty file, expected a header line");
  header_.assign(record.fields.begin(), record.fields.end());
  header_raw_.assign(record.raw);
  if (header_[0].starts_with(kUtf8Bom)) header_[0].erase(0, std::strlen(kUtf8Bom));
  if (!options.expected_header.empty() && header_ != options.expected_header) {
    return Status::InvalidArgument(name() + ":1: the header is '" + Join(header_) +
                                   "' but should be '" + Join(options.expected_header) + "'");
  }
  expected_fields_ = header_.size();
  records_ = 0;
  return Status::Ok();
}

Result<bool> CsvRecordReader::Next(CsvRecord* record) {
  Result<bool> got = NextAnyWidth(record);
  if (got.ok() && *got && record->fields.size() != expected_fields_) {
    --records_;
    return Malformed(record->line, record->offset,
                     "expected " + std::to_string(expected_fields_) + " fields, found " +
                         std::to_string(record->fields.size()));
  }
  return got;
}

Result<bool> CsvRecordReader::NextAnyWidth(CsvRecord* record) {
  for (;;) {
    if (begin_ == end_) {
      if (eof_) return false;
      Status s = Fill();
      if (!s.ok()) return s;
      continue;
    }
    const char* p = buffer_.data() + begin_;
    const char* e = buffer_.data() + end_;
    const auto* nl = static_cast<const char*>(std::memchr(p, '\n', e - p));
    if (nl == nullptr && !eof_) {
      if (end_ - begin_ >= max_record_bytes_) {
        uint64_t line = line_, offset = position();
        Status s = SkipLine();
        if (!s.ok()) return s;
        return Malformed(line, offset,
                         "line longer than " + std::to_string(max_record_bytes_) + " bytes");
      }
      Status s = Fill();
      if (!s.ok()) return s;
      continue;
    }
    const char* line_end = nl != nullptr ? nl + 1 : e;
    size_t line_length = line_end - p;
    if (nl != nullptr && (line_length == 1 || (line_length == 2 && p[0] == '\r'))) {
      begin_ += line_length;  // a blank line
      ++line_;
      continue;
    }
    const char* record_end = line_end;
    uint64_t newlines = nl != nullptr ? 1 : 0;
    if (std::memchr(p, '"', line_length) == nullptr) {
      SplitPlainLine(p, line_end);
    } else {
      const char* error = nullptr;
      // Without line breaks in quotes a record ends with its line: parse that line alone.
      const bool one_line = !line_breaks_in_quotes_ && nl != nullptr;
      Parse parsed = ParseQuoted(p, one_line ? line_end : e, &record_end, &error);
      if (parsed == Parse::kNeedMore && one_line) {
        parsed = Parse::kMalformed;
        error = "a quoted field runs past the end of the line";
      }
      if (parsed == Parse::kNeedMore) {
        if (end_ - begin_ >= max_record_bytes_) {
          uint64_t line = line_, offset = position();
          Status s = SkipLine();
          if (!s.ok()) return s;
          return Malformed(line, offset,
                           "record longer than " + std::to_string(max_record_bytes_) +
                               " bytes (a quote never closed?)");
        }
        Status s = Fill();
        if (!s.ok()) return s;
        continue;
      }
      if (parsed == Parse::kMalformed) {
        uint64_t line = line_, offset = position();
        Status s = SkipLine();
        if (!s.ok()) return s;
        return Malformed(line, offset, error);
      }
      newlines = std::count(p, record_end, '\n');
    }
    record->fields = fields_;
    record->raw = std::string_view(p, record_end - p);
    record->line = line_;
    record->offset = position();
    begin_ += record_end - p;
    line_ += newlines;
    ++records_;
    return true;
  }
}

// The common case: a line without quotes, split at each comma.
CsvRecordReader::Parse CsvRecordReader::SplitPlainLine(const char* begin, const char* line_end) {
  const char* stop = line_end;
  if (stop > begin && stop[-1] == '\n') --stop;
  if (stop > begin && stop[-1] == '\r') --stop;
  fields_.clear();
  const char* field = begin;
  for (;;) {
    const auto* comma = static_cast<const char*>(std::memchr(field, ',', stop - field));
    if (comma == nullptr) {
      fields_.emplace_back(field, stop - field);
      return Parse::kRecord;
    }
    fields_.emplace_back(field, comma - field);
    field = comma + 1;
  }
}

// A record holding quotes, possibly over several lines. `end` is the end of the buffered
// data; kNeedMore asks for more unless the input has ended.
CsvRecordReader::Parse CsvRecordReader::ParseQuoted(const char* begin, const char* end,
                                                    const char** record_end, const char** error) {
  fields_.clear();
  scratch_.clear();
  scratch_.reserve(end - begin);  // unescaped values never outgrow the record: views stay valid
  const char* i = begin;
  for (;;) {
    // One field starts at i.
    if (i < end && *i == '"') {
      ++i;
      const char* segment = i;
      size_t unescaped_start = std::string::npos;  // set once a `""` is met
      for (;;) {
        const auto* quote = static_cast<const char*>(std::memchr(i, '"', end - i));
        if (quote == nullptr || (quote + 1 == end && !eof_)) {
          if (!eof_) return Parse::kNeedMore;
          *error = "unterminated quoted field";
          return Parse::kMalformed;
        }
        if (quote + 1 < end && quote[1] == '"') {
          if (unescaped_start == std::string::npos) unescaped_start = scratch_.size();
          scratch_.append(segment, quote + 1 - segment);
          i = quote + 2;
          segment = i;
          continue;
        }
        if (unescaped_start == std::string::npos) {
          fields_.emplace_back(segment, quote - segment);
        } else {
          scratch_.append(segment, quote - segment);
          fields_.emplace_back(scratch_.data() + unescaped_start,
                               scratch_.size() - unescaped_start);
        }
        i = quote + 1;
        break;
      }
      // After a closing quote: a comma, a line end or the end of the input.
      if (i == end) {
        if (!eof_) return Parse::kNeedMore;
        *record_end = i;
        return Parse::kRecord;
      }
      if (*i == ',') {
        ++i;
        continue;
      }
      if (*i == '\n') {
        *record_end = i + 1;
        return Parse::kRecord;
      }
      if (*i == '\r') {
        if (i + 1 == end) {
          if (!eof_) return Parse::kNeedMore;
          *record_end = i + 1;
          return Parse::kRecord;
        }
        if (i[1] == '\n') {
          *record_end = i + 2;
          return Parse::kRecord;
        }
      }
      *error = "unexpected text after a closing quote";
      return Parse::kMalformed;
    }
    // An unquoted field: up to a comma or a line end; a quote inside it is taken literally.
    const char* start = i;
    while (i < end && *i != ',' && *i != '\n') ++i;
    if (i == end && !eof_) return Parse::kNeedMore;
    if (i < end && *i == ',') {
      fields_.emplace_back(start, i - start);
      ++i;
      continue;
    }
    const char* stop = i;
    if (stop > start && stop[-1] == '\r') --stop;
    fields_.emplace_back(start, stop - start);
    *record_end = i < end ? i + 1 : i;
    return Parse::kRecord;
  }
}

Status CsvRecordReader::Fill() {
  if (begin_ > 0) {
    buffer_offset_ += begin_;
    std::memmove(buffer_.data(), buffer_.data() + begin_, end_ - begin_);
    end_ -= begin_;
    begin_ = 0;
  }
  if (end_ == buffer_.size()) buffer_.resize(buffer_.size() * 2);
  Result<size_t> n = source_->Read(buffer_.data() + end_, buffer_.size() - end_);
  if (!n.ok()) return n.status();
  if (*n == 0) eof_ = true;
  end_ += *n;
  return Status::Ok();
}

Status CsvRecordReader::SkipLine() {
  for (;;) {
    const char* p = buffer_.data() + begin_;
    const auto* nl = static_cast<const char*>(std::memchr(p, '\n', end_ - begin_));
    if (nl != nullptr) {
      begin_ = nl + 1 - buffer_.data();
      ++line_;
      return Status::Ok();
    }
    begin_ = end_;
    if (eof_) return Status::Ok();
    Status s = Fill();
    if (!s.ok()) return s;
  }
}

Status CsvRecordReader::Malformed(uint64_t line, uint64_t offset, const std::string& what) const {
  if (!lines_known_) {
    return Status::Corruption(name() + ": byte " + std::to_string(offset) + ": " + what);
  }
  return Status::Corruption(name() + ":" + std::to_string(line) + ": " + what);
}

}  // namespace shopstream::csv
