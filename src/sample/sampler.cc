#include "sample/sampler.h"

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
#include "common/random.h"
#include "csv/byte_sink.h"
#include "csv/csv_record_reader.h"
#include "csv/mapped_file.h"
#include "sample/sample_slice.h"
#include "sample/sample_strata.h"

namespace shopstream::sample {
namespace {

constexpr size_t kBatchBytes = 1 << 20;
constexpr size_t kQueueDepth = 4;

// A run of records in file order, handed from the reading thread to the writing thread.
struct Batch {
  std::string bytes;              // the records' raw bytes, back to back
  std::vector<uint32_t> ends;     // end offset of each record in `bytes`
  std::vector<uint64_t> offsets;  // each record's offset in the CSV data: its draw's key
  std::vector<uint32_t> strata;   // index of each record's stratum in the reader's counter
  std::vector<double> fractions;  // by stratum index
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

namespace {

// The streaming path: this thread reads, decompresses and splits records; a second thread
// draws, copies the kept records and writes (and compresses).
Result<SampleStats> SampleStream(csv::CsvRecordReader& reader, size_t column,
                                 const SampleOptions& options, csv::ByteSink* sink,
                                 const std::function<void(uint64_t, uint64_t)>& progress) {
  StratumCounter strata(&options);  // indices on the reader's side, counts on the writer's
  std::vector<double> fractions;    // by stratum index, the writer's copy
  std::vector<uint64_t> read_counts, kept_counts;
  BatchQueue queue;
  Status writer_status;

  std::thread writer([&] {
    std::string out;
    out.reserve(kBatchBytes + kBatchBytes / 4);
    writer_status = sink->Write(reader.header_raw());
    while (auto batch = queue.Pop()) {
      if (!writer_status.ok()) continue;  // drain so that the reader can finish
      out.clear();
      uint32_t start = 0;
      for (size_t i = 0; i < batch->ends.size(); ++i) {
        uint32_t stratum = batch->strata[i];
        double fraction = batch->fractions[stratum];
        if (stratum >= read_counts.size()) {
          read_counts.resize(stratum + 1);
          kept_counts.resize(stratum + 1);
        }
        ++read_counts[stratum];
        if (fraction >= 1 ||
            (fraction > 0 && KeyedUniform(options.seed, batch->offsets[i]) < fraction)) {
          ++kept_counts[stratum];
          out.append(batch->bytes, start, batch->ends[i] - start);
        }
        start = batch->ends[i];
      }
      writer_status = sink->Write(out);
      if (!writer_status.ok()) queue.Abandon();
    }
    if (writer_status.ok()) writer_status = sink->Close();
  });

  SampleStats stats;
  Status reader_status;
  auto batch = std::make_unique<Batch>();
  batch->bytes.reserve(kBatchBytes + kBatchBytes / 4);
  uint64_t batches = 0;
  csv::CsvRecord record;
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
    batch->offsets.push_back(record.offset);
    uint32_t stratum = strata.IndexOf(record.fields[column]);
    if (stratum >= fractions.size()) fractions.push_back(strata.fraction(stratum));
    batch->strata.push_back(stratum);
    if (batch->bytes.size() >= kBatchBytes) {
      batch->fractions = fractions;
      if (!queue.Push(std::move(batch))) break;
      if (options.stop != nullptr && options.stop->load()) {
        stats.stopped = true;
        batch = std::make_unique<Batch>();
        break;
      }
      batch = std::make_unique<Batch>();
      batch->bytes.reserve(kBatchBytes + kBatchBytes / 4);
      if (progress && (++batches & 7) == 0) {
        progress(reader.bytes_consumed(), reader.total_bytes());
      }
    }
  }
  batch->fractions = fractions;
  if (!batch->ends.empty()) queue.Push(std::move(batch));
  queue.Close();
  writer.join();
  if (progress) progress(reader.bytes_consumed(), reader.total_bytes());
  if (!reader_status.ok()) return reader_status;
  if (!writer_status.ok()) return writer_status;
  // The reader's counter knows the names; the writer counted by the same indices.
  for (uint32_t i = 0; i < read_counts.size(); ++i) {
    stats.rows_read += read_counts[i];
    stats.rows_kept += kept_counts[i];
    stats.read_by_stratum[strata.name(i)] = read_counts[i];
    stats.kept_by_stratum[strata.name(i)] = kept_counts[i];
  }
  return stats;
}

}  // namespace

Result<SampleStats> RunSample(const SampleOptions& options,
                              const std::function<void(uint64_t, uint64_t)>& progress) {
  if (options.fraction && (!(*options.fraction >= 0) || *options.fraction > 1)) {
    return Status::InvalidArgument("the fraction should be a number from 0 to 1");
  }
  auto opened = csv::CsvRecordReader::Open(options.input, {});
  if (!opened.ok()) return opened.status();
  csv::CsvRecordReader& reader = **opened;
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
  auto sink = csv::OpenByteSink(options.output);
  if (!sink.ok()) return sink.status();

  uint64_t size = 0;
  if (csv::IsPlainRegularFile(options.input, &size) && size >= options.slice_min_file_bytes) {
    auto mapped = csv::MappedFile::Open(options.input);
    if (!mapped.ok()) return mapped.status();
    SliceLayout layout{(*mapped)->bytes(), options.input, header.size(), column};
    // SampleSlices reports each slice once it is written; nothing before it is read again.
    auto release_and_report = [&](uint64_t done, uint64_t total) {
      (*mapped)->ReleaseBefore(done);
      if (progress) progress(done, total);
    };
    return SampleSlices(layout, reader.position(), reader.header_raw(), options, sink->get(),
                        release_and_report);
  }
  return SampleStream(reader, column, options, sink->get(), progress);
}

}  // namespace shopstream::sample
