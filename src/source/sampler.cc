#include "source/sampler.h"

#include <algorithm>
#include <charconv>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <memory>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <vector>

#include "common/log.h"
#include "source/byte_sink.h"
#include "source/csv_record_reader.h"
#include "source/random.h"

namespace shopstream::source {
namespace {

constexpr size_t kBatchBytes = 1 << 20;
constexpr size_t kQueueDepth = 4;

// A run of records in file order, handed from the reading thread to the writing thread.
struct Batch {
  std::string bytes;              // the records' raw bytes, back to back
  std::vector<uint32_t> ends;     // end offset of each record in `bytes`
  std::vector<uint32_t> strata;   // index of each record's stratum in the stratum table
  std::vector<double> fractions;  // and its fraction
};

// A bounded hand-off between the two threads; Close() wakes the consumer at the end.
class BatchQueue {
 public:
  // False when the consumer has given up (an error on its side).
  bool Push(std::unique_ptr<Batch> batch) {
    std::unique_lock lock(mutex_);
    not_full_.wait(lock, [&] { return queue_.size() < kQueueDepth || abandoned_; });
    if (abandoned_) return false;
    queue_.push_back(std::move(batch));
    not_empty_.notify_one();
    return true;
  }
  // Null once closed and drained.
  std::unique_ptr<Batch> Pop() {
    std::unique_lock lock(mutex_);
    not_empty_.wait(lock, [&] { return !queue_.empty() || closed_; });
    if (queue_.empty()) return nullptr;
    auto batch = std::move(queue_.front());
    queue_.pop_front();
    not_full_.notify_one();
    return batch;
  }
  void Close() {
    std::lock_guard lock(mutex_);
    closed_ = true;
    not_empty_.notify_all();
  }
  void Abandon() {
    std::lock_guard lock(mutex_);
    abandoned_ = true;
    not_full_.notify_all();
  }

 private:
  std::mutex mutex_;
  std::condition_variable not_empty_, not_full_;
  std::deque<std::unique_ptr<Batch>> queue_;
  bool closed_ = false;
  bool abandoned_ = false;
};

// Stratum values seen so far, each with an index and its fraction (lookups by string_view
// allocate nothing).
class StratumTable {
 public:
  explicit StratumTable(const SampleOptions& options) : options_(options) {}
  uint32_t IndexOf(std::string_view value) {
    auto it = index_.find(value);
    if (it != index_.end()) return it->second;
    auto index = static_cast<uint32_t>(names_.size());
    names_.emplace_back(value);
    double fraction = 0;
    if (options_.fraction) {
      fraction = *options_.fraction;
    } else if (auto f = options_.fractions.find(names_.back()); f != options_.fractions.end()) {
      fraction = f->second;
    }
    fractions_.push_back(fraction);
    index_.emplace(names_.back(), index);
    return index;
  }
  // Used by the reading thread only (the writer gets fractions in the batches).
  double fraction(uint32_t index) const { return fractions_[index]; }
  const std::string& name(uint32_t index) const { return names_[index]; }
  size_t size() const { return names_.size(); }

 private:
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  const SampleOptions& options_;
  std::deque<std::string> names_;  // a deque: the index keys view these strings in place
  std::vector<double> fractions_;
  std::unordered_map<std::string_view, uint32_t, Hash, std::equal_to<>> index_;
};

}  // namespace

Result<std::map<std::string, double>> ParseFractions(std::string_view text) {
  std::map<std::string, double> fractions;
  while (!text.empty()) {
    size_t comma = text.find(',');
    std::string_view item = text.substr(0, comma);
    text = comma == std::string_view::npos ? std::string_view() : text.substr(comma + 1);
    size_t equals = item.rfind('=');
    if (equals == std::string_view::npos) {
      return Status::InvalidArgument("fraction '" + std::string(item) +
                                     "' should look like stratum=0.1");
    }
    std::string_view number = item.substr(equals + 1);
    double value = -1;
    auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), value);
    if (ec != std::errc() || end != number.data() + number.size() || !(value >= 0) || value > 1) {
      return Status::InvalidArgument("fraction '" + std::string(item) +
                                     "' should be a number from 0 to 1");
    }
    fractions[std::string(item.substr(0, equals))] = value;
  }
  if (fractions.empty()) return Status::InvalidArgument("no fractions given");
  return fractions;
}

Result<SampleStats> RunSample(const SampleOptions& options,
                              const std::function<void(uint64_t, uint64_t)>& progress) {
  if (options.fraction && (!(*options.fraction >= 0) || *options.fraction > 1)) {
    return Status::InvalidArgument("the fraction should be a number from 0 to 1");
  }
  auto opened = CsvRecordReader::Open(options.input, {});
  if (!opened.ok()) return opened.status();
  CsvRecordReader& reader = **opened;
  const auto& header = reader.header();
  auto column_it = std::find(header.begin(), header.end(), options.column);
  if (column_it == header.end()) {
    std::string names;
    for (const auto& h : header) names += (names.empty() ? "" : ", ") + h;
    return Status::InvalidArgument(options.input + ": no column '" + options.column +
                                   "'; the columns are " + names);
  }
  size_t column = column_it - header.begin();
  std::error_code same_error;
  if (options.output != "-" &&
      std::filesystem::equivalent(options.input, options.output, same_error)) {
    return Status::InvalidArgument(options.output + ": the output would overwrite the input");
  }
  auto sink = OpenByteSink(options.output);
  if (!sink.ok()) return sink.status();

  StratumTable strata(options);
  BatchQueue queue;
  SampleStats stats;
  std::vector<uint64_t> read_counts, kept_counts;  // by stratum index, writer side
  Status writer_status;

  // The writing thread: draws, copies kept records, writes.
  std::thread writer([&] {
    Rng rng(options.seed);
    std::string out;
    out.reserve(kBatchBytes + kBatchBytes / 4);
    writer_status = (*sink)->Write(reader.header_raw());
    while (auto batch = queue.Pop()) {
      if (!writer_status.ok()) continue;  // drain so that the reader can finish
      out.clear();
      uint32_t start = 0;
      for (size_t i = 0; i < batch->ends.size(); ++i) {
        uint32_t stratum = batch->strata[i];
        if (stratum >= read_counts.size()) {
          read_counts.resize(stratum + 1);
          kept_counts.resize(stratum + 1);
        }
        ++read_counts[stratum];
        if (rng.Uniform() < batch->fractions[i]) {
          ++kept_counts[stratum];
          out.append(batch->bytes, start, batch->ends[i] - start);
        }
        start = batch->ends[i];
      }
      writer_status = (*sink)->Write(out);
      if (!writer_status.ok()) queue.Abandon();
    }
    if (writer_status.ok()) writer_status = (*sink)->Close();
  });

  // This thread: reads, decompresses and splits records.
  Status reader_status;
  auto batch = std::make_unique<Batch>();
  batch->bytes.reserve(kBatchBytes + kBatchBytes / 4);
  uint64_t batches = 0;
  CsvRecord record;
  for (;;) {
    Result<bool> got = reader.Next(&record);
    if (!got.ok()) {
      if (got.status().code() == StatusCode::kCorruption) {
        ++stats.lines_skipped;
        LogWarn("skipping malformed line " + got.status().message());
        continue;
      }
      reader_status = got.status();
      break;
    }
    if (!*got) break;
    batch->bytes.append(record.raw);
    batch->ends.push_back(static_cast<uint32_t>(batch->bytes.size()));
    uint32_t stratum = strata.IndexOf(record.fields[column]);
    batch->strata.push_back(stratum);
    batch->fractions.push_back(strata.fraction(stratum));
    if (batch->bytes.size() >= kBatchBytes) {
      if (!queue.Push(std::move(batch))) break;
      batch = std::make_unique<Batch>();
      batch->bytes.reserve(kBatchBytes + kBatchBytes / 4);
      if (progress && (++batches & 7) == 0) {
        progress(reader.bytes_consumed(), reader.total_bytes());
      }
    }
  }
  if (!batch->ends.empty()) queue.Push(std::move(batch));
  queue.Close();
  writer.join();
  if (progress) progress(reader.bytes_consumed(), reader.total_bytes());
  if (!reader_status.ok()) return reader_status;
  if (!writer_status.ok()) return writer_status;
  for (size_t i = 0; i < read_counts.size(); ++i) {
    stats.rows_read += read_counts[i];
    stats.rows_kept += kept_counts[i];
    stats.read_by_stratum[strata.name(i)] = read_counts[i];
    stats.kept_by_stratum[strata.name(i)] = kept_counts[i];
  }
  return stats;
}

}  // namespace shopstream::source
