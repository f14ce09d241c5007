// The multi-threaded path of `shopstream sample` for plain files (see sample_slice.h).
#include <algorithm>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "common/log.h"
#include "csv/byte_sink.h"
#include "sample/sample_slice.h"

namespace shopstream::sample {
namespace {

constexpr size_t kSlicesPerThread = 4;  // slices done ahead of the writer, per thread

// Slices done by the workers, handed to the writer in order; bounded so that a slow sink
// holds back the workers instead of filling memory.
class SliceHandOff {
 public:
  SliceHandOff(size_t slices, size_t window) : slices_(slices), slots_(window) {}

  // The next slice to do, or false when all are claimed or the writer gave up.
  bool Claim(size_t* index) {
    std::unique_lock lock(mutex_);
    space_.wait(lock, [&] { return stopped_ || claimed_ >= slices_ || claimed_ < window_end(); });
    if (stopped_ || claimed_ >= slices_) return false;
    *index = claimed_++;
    return true;
  }
  void Done(size_t index, std::unique_ptr<SliceResult> result) {
    std::lock_guard lock(mutex_);
    slots_[index % slots_.size()] = std::move(result);
    ready_.notify_all();
  }
  // The result of slice `index` (the writer takes them in order).
  std::unique_ptr<SliceResult> Take(size_t index) {
    std::unique_lock lock(mutex_);
    auto& slot = slots_[index % slots_.size()];
    ready_.wait(lock, [&] { return slot != nullptr; });
    auto result = std::move(slot);
    ++taken_;
    space_.notify_all();
    return result;
  }
  void Stop() {
    std::lock_guard lock(mutex_);
    stopped_ = true;
    space_.notify_all();
  }

 private:
  size_t window_end() const { return taken_ + slots_.size(); }
  std::mutex mutex_;
  std::condition_variable ready_, space_;
  const size_t slices_;
  std::vector<std::unique_ptr<SliceResult>> slots_;
  size_t claimed_ = 0;
  size_t taken_ = 0;
  bool stopped_ = false;
};

}  // namespace

Result<SampleStats> SampleSlices(const SliceLayout& layout, uint64_t data_start,
                                 std::string_view header_raw, const SampleOptions& options,
                                 csv::ByteSink* sink,
                                 const std::function<void(uint64_t, uint64_t)>& progress) {
  const uint64_t size = layout.data.size();
  const uint64_t slice_bytes = std::max<uint64_t>(options.slice_bytes, 1);
  const size_t slices = (size - data_start + slice_bytes - 1) / slice_bytes;
  unsigned threads = options.threads != 0 ? options.threads : std::thread::hardware_concurrency();
  threads = std::max(1u, threads);
  auto slice_begin = [&](size_t i) { return data_start + i * slice_bytes; };
  auto slice_end = [&](size_t i) { return std::min(size, slice_begin(i + 1)); };

  SliceHandOff hand_off(slices, kSlicesPerThread * threads);
  std::vector<std::thread> workers;
  for (unsigned t = 0; t < threads; ++t) {
    workers.emplace_back([&] {
      size_t i = 0;
      while (hand_off.Claim(&i)) {
        uint64_t first = i == 0 ? data_start : FirstLineStart(layout.data, slice_begin(i));
        hand_off.Done(
            i, std::make_unique<SliceResult>(SampleSlice(layout, options, first, slice_end(i))));
      }
    });
  }

  SampleStats stats;
  Status status = sink->Write(header_raw);
  uint64_t boundary = data_start;  // where the next slice's records truly start
  for (size_t i = 0; i < slices && status.ok(); ++i) {
    if (options.stop != nullptr && options.stop->load()) {
      stats.stopped = true;
      break;
    }
    std::unique_ptr<SliceResult> slice = hand_off.Take(i);
    if (slice->first != boundary) {  // a quoted field ran over the cut: redo from the truth
      slice = std::make_unique<SliceResult>(SampleSlice(layout, options, boundary, slice_end(i)));
    }
    boundary = slice->next;
    for (const auto& warning : slice->warnings) LogWarn("skipping malformed line " + warning);
    stats.lines_skipped += slice->malformed;
    slice->counts.AddTo(&stats);
    status = sink->Write(slice->kept);
    if (progress) progress(slice_end(i), size);
  }
  hand_off.Stop();
  for (auto& worker : workers) worker.join();
  if (status.ok()) status = sink->Close();
  if (!status.ok()) return status;
  return stats;
}

}  // namespace shopstream::sample
