#include "sample/sample_slice.h"

#include <algorithm>
#include <bit>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "common/random.h"
#include "csv/byte_source.h"
#include "csv/csv_record_reader.h"

namespace shopstream::sample {
namespace {

constexpr size_t kMaxRecordBytes = csv::CsvReaderOptions().max_record_bytes;

// One line seen in a single pass: where it ends, how many commas it has, and whether it
// holds a quote (then the full parser takes over).
struct LineShape {
  const char* newline = nullptr;  // null when the data ends first
  size_t commas = 0;
  bool quoted = false;
};

// Bits set in a 16-bit mask, without a library call where the CPU baseline has no popcnt.
inline unsigned Popcount16(unsigned x) {
  x = x - ((x >> 1) & 0x5555);
  x = (x & 0x3333) + ((x >> 2) & 0x3333);
  x = (x + (x >> 4)) & 0x0F0F;
  return (x + (x >> 8)) & 0x1F;
}

LineShape ScanLine(const char* p, const char* end) {
  LineShape shape;
#if defined(__SSE2__)
  const __m128i newline = _mm_set1_epi8('\n'), comma = _mm_set1_epi8(','),
                quote = _mm_set1_epi8('"');
  for (; end - p >= 16; p += 16) {
    __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    auto newlines = static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, newline)));
    auto commas = static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, comma)));
    auto quotes = static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, quote)));
    if (newlines != 0) {
      unsigned before = (newlines & -newlines) - 1;
      shape.commas += Popcount16(commas & before);
      shape.quoted |= (quotes & before) != 0;
      shape.newline = p + std::countr_zero(newlines);
      return shape;
    }
    shape.commas += Popcount16(commas);
    shape.quoted |= quotes != 0;
  }
#endif
  for (; p < end; ++p) {
    if (*p == '\n') {
      shape.newline = p;
      return shape;
    }
    shape.commas += *p == ',' ? 1 : 0;
    shape.quoted |= *p == '"';
  }
  return shape;
}

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
    while (p < base + end) {
      LineShape line = ScanLine(p, std::min(file_end, p + kMaxRecordBytes));
      const char* nl = line.newline;
      if (nl == nullptr || line.quoted) break;
      const char* next = nl + 1;
      const char* stop = nl;
      if (stop > p && stop[-1] == '\r') --stop;
      if (stop == p) {  // a blank line
        p = next;
        continue;
      }
      size_t fields = line.commas + 1;
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
    csv::CsvReaderOptions reader_options;
    reader_options.headerless_fields = layout_.fields;
    reader_options.start_offset = first;
    auto reader = csv::CsvRecordReader::FromSource(
        csv::MakeViewSource(layout_.data.substr(first), layout_.name), reader_options);
    csv::CsvRecord record;
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

}  // namespace shopstream::sample
