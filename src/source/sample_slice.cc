#include "source/sample_slice.h"

#include <algorithm>
#include <cstring>

#include "source/byte_source.h"
#include "source/csv_record_reader.h"
#include "source/random.h"

namespace shopstream::source {
namespace {

constexpr size_t kQuoteScanWindow = 256 << 10;
constexpr size_t kMaxRecordBytes = CsvReaderOptions().max_record_bytes;

// Finds the first double quote at or after a moving position, scanning ahead in windows so
// that a slice never scans the rest of a file that has no quotes at all.
class QuoteFinder {
 public:
  QuoteFinder(const char* from, const char* end) : scanned_(from), end_(end) {}
  // True when a quote lies in [from, limit); positions must not go backwards.
  bool AnyBefore(const char* limit) {
    while (found_ == nullptr && scanned_ < limit) {
      size_t n =
          std::min<size_t>(std::max<size_t>(kQuoteScanWindow, limit - scanned_), end_ - scanned_);
      found_ = static_cast<const char*>(std::memchr(scanned_, '"', n));
      scanned_ += n;
    }
    return found_ != nullptr && found_ < limit;
  }

 private:
  const char* scanned_;  // every byte before this was looked at
  const char* end_;
  const char* found_ = nullptr;
};

class SliceSampler {
 public:
  SliceSampler(const SliceLayout& layout, const SampleOptions& options, SliceResult* result)
      : layout_(layout), options_(options), result_(result) {}

  void Keep(uint32_t stratum, uint64_t offset, std::string_view record) {
    double fraction = result_->counts.fraction(stratum);
    bool kept = fraction >= 1 || (fraction > 0 && KeyedUniform(options_.seed, offset) < fraction);
    result_->counts.Count(stratum, kept);
    if (kept) result_->kept.append(record);
  }

  // The fast path; returns where it stopped: `end`'s boundary, or a line it leaves to the
  // full parser (a quote, no line end before the end of the file, a runaway line).
  uint64_t PlainLines(uint64_t first, uint64_t end) {
    const char* base = layout_.data.data();
    const char* file_end = base + layout_.data.size();
    const char* p = base + first;
    QuoteFinder quotes(p, file_end);
    while (p < base + end) {
      const auto* nl = static_cast<const char*>(std::memchr(p, '\n', file_end - p));
      if (nl == nullptr || static_cast<size_t>(nl - p) >= kMaxRecordBytes || quotes.AnyBefore(nl)) {
        break;
      }
      const char* next = nl + 1;
      const char* stop = nl;
      if (stop > p && stop[-1] == '\r') --stop;
      if (stop == p) {  // a blank line
        p = next;
        continue;
      }
      size_t fields = std::count(p, stop, ',') + 1;
      if (fields != layout_.fields) {
        Malformed(p - base, "expected " + std::to_string(layout_.fields) + " fields, found " +
                                std::to_string(fields));
        p = next;
        continue;
      }
      const char* value = p;
      for (size_t i = 0; i < layout_.column; ++i) {
        value = static_cast<const char*>(std::memchr(value, ',', stop - value)) + 1;
      }
      const auto* comma = static_cast<const char*>(std::memchr(value, ',', stop - value));
      const char* value_end = comma != nullptr ? comma : stop;
      uint32_t stratum = result_->counts.IndexOf(std::string_view(value, value_end - value));
      Keep(stratum, p - base, std::string_view(p, next - p));
      p = next;
    }
    return p - base;
  }

  // The full RFC 4180 parser from `first` on; returns the boundary at or after `end`.
  uint64_t QuotedLines(uint64_t first, uint64_t end) {
    CsvReaderOptions reader_options;
    reader_options.headerless_fields = layout_.fields;
    reader_options.start_offset = first;
    auto reader = CsvRecordReader::FromSource(
        MakeViewSource(layout_.data.substr(first), layout_.name), reader_options);
    CsvRecord record;
    while ((*reader)->position() < end) {
      Result<bool> got = (*reader)->Next(&record);
      if (!got.ok()) {  // only Corruption: a view source cannot fail to read
        result_->warnings.push_back(got.status().message());
        ++result_->malformed;
        continue;
      }
      if (!*got) break;
      uint32_t stratum = result_->counts.IndexOf(record.fields[layout_.column]);
      Keep(stratum, record.offset, record.raw);
    }
    return std::min<uint64_t>((*reader)->position(), layout_.data.size());
  }

 private:
  void Malformed(uint64_t offset, const std::string& what) {
    result_->warnings.push_back(layout_.name + ": byte " + std::to_string(offset) + ": " + what);
    ++result_->malformed;
  }

  const SliceLayout& layout_;
  const SampleOptions& options_;
  SliceResult* result_;
};

}  // namespace

uint64_t FirstLineStart(std::string_view data, uint64_t begin) {
  if (begin == 0 || begin >= data.size() || data[begin - 1] == '\n') return begin;
  size_t nl = data.find('\n', begin);
  return nl == std::string_view::npos ? data.size() : nl + 1;
}

SliceResult SampleSlice(const SliceLayout& layout, const SampleOptions& options, uint64_t first,
                        uint64_t end) {
  SliceResult result(&options);
  result.first = first;
  SliceSampler sampler(layout, options, &result);
  uint64_t at = first < end ? sampler.PlainLines(first, end) : first;
  if (at < end) at = sampler.QuotedLines(at, end);
  result.next = at;
  return result;
}

}  // namespace shopstream::source
