// A streaming RFC 4180 record reader: quoted fields (with `""` for a quote inside them and
// line breaks allowed), CRLF or LF line ends, no line end needed after the last record.
// It yields each record's field values and its exact bytes, so that a caller can copy
// records byte for byte, and the line on which each record starts.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "csv/byte_source.h"

namespace shopstream::csv {

struct CsvRecord {
  std::span<const std::string_view> fields;  // values, quotes removed and `""` unescaped
  std::string_view raw;                      // the bytes as in the file, line end included
  uint64_t line = 0;                         // 1-based line on which the record starts
  uint64_t offset = 0;                       // byte offset of its first byte in the data
};

struct CsvReaderOptions {
  // When not empty, the header line must list exactly these columns (InvalidArgument else).
  std::vector<std::string> expected_header;
  // A record longer than this is malformed (a runaway quote); it bounds the memory used.
  size_t max_record_bytes = 1 << 20;
  // RFC 4180 lets a quoted field hold line breaks. When false (no column of the data can hold
  // one), a quote still open at the end of a line makes that line malformed and reading goes
  // on at the next line, instead of merging the following lines into one record.
  bool line_breaks_in_quotes = true;
  // When not 0 there is no header line: the data starts at once and every record must have
  // this many fields. Used to read a slice of a file whose header was read elsewhere; then
  // `start_offset` is the slice's offset in the file, and messages name byte offsets, as
  // line numbers are not known.
  size_t headerless_fields = 0;
  uint64_t start_offset = 0;
};

// Not thread-safe. The views of a CsvRecord stay valid until the next call to Next().
class CsvRecordReader {
 public:
  // Opens `path` (see OpenByteSource) and reads its header line.
  static Result<std::unique_ptr<CsvRecordReader>> Open(const std::string& path,
                                                       const CsvReaderOptions& options);
  static Result<std::unique_ptr<CsvRecordReader>> FromSource(std::unique_ptr<ByteSource> source,
                                                             const CsvReaderOptions& options);

  // True with the next data record in `*record`, false at the end of the data. A Corruption
  // status means one malformed record (wrong field count, unterminated quote, text after a
  // closing quote) was skipped; its message names the file and line, and calling Next()
  // again goes on with the following record. Any other error is final.
  // Blank lines are skipped.
  Result<bool> Next(CsvRecord* record);

  const std::vector<std::string>& header() const { return header_; }
  const std::string& header_raw() const { return header_raw_; }  // line end included
  const std::string& name() const { return source_->name(); }
  uint64_t bytes_consumed() const { return source_->bytes_consumed(); }
  uint64_t total_bytes() const { return source_->total_bytes(); }
  uint64_t records_read() const { return records_; }
  // The offset of the next unread byte: after the header, where the data starts.
  uint64_t position() const { return buffer_offset_ + begin_; }

 private:
  enum class Parse { kRecord, kNeedMore, kMalformed };

  CsvRecordReader(std::unique_ptr<ByteSource> source, const CsvReaderOptions& options);
  Status ReadHeader(const CsvReaderOptions& options);
  // Reads one record of any width; used for the header and the data.
  Result<bool> NextAnyWidth(CsvRecord* record);
  Parse SplitPlainLine(const char* begin, const char* line_end);
  Parse ParseQuoted(const char* begin, const char* end, const char** record_end,
                    const char** error);
  // Moves unread bytes to the front, grows the buffer if full, and reads more.
  Status Fill();
  // Skips the rest of the physical line starting at the read position.
  Status SkipLine();
  Status Malformed(uint64_t line, uint64_t offset, const std::string& what) const;

  std::unique_ptr<ByteSource> source_;
  size_t max_record_bytes_;
  bool line_breaks_in_quotes_;
  std::vector<char> buffer_;
  uint64_t buffer_offset_ = 0;  // offset in the data of buffer_[0]
  bool lines_known_ = true;
  size_t begin_ = 0;  // first unread byte
  size_t end_ = 0;    // one past the last byte read
  bool eof_ = false;
  uint64_t line_ = 1;  // line of the byte at begin_
  uint64_t records_ = 0;
  size_t expected_fields_ = 0;  // 0 until the header is read
  std::vector<std::string_view> fields_;
  std::string scratch_;  // unescaped values of quoted fields that held `""`
  std::vector<std::string> header_;
  std::string header_raw_;
};

}  // namespace shopstream::csv
