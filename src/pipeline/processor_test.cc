// The processor against in-memory fakes: dead letters, resume from stored offsets, and
// outages waited out, in milliseconds.
#include "pipeline/processor.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <thread>
#include <utility>
#include <vector>

#include "bus/memory_source.h"
#include "event/json_codec.h"
#include "event/uuid.h"

namespace shopstream::pipeline {
namespace {

// Fails the first `failures` calls with a retryable error, like a server that is down.
// Refuses, like a server's column, every call that holds an event with a price in `refuse`.
class FlakyRawStore : public store::RawStore {
 public:
  int failures = 0;
  std::set<double> refuse;
  std::set<std::string> ids;
  size_t largest_write = 0;  // events in the largest call
  Status Init() override { return Status::Ok(); }
  Status Write(const std::vector<Event>& events) override {
    largest_write = std::max(largest_write, events.size());
    if (failures > 0) {
      --failures;
      return Status::Unavailable("raw store down");
    }
    for (const Event& e : events) {
      if (refuse.count(e.price)) return Status::RefusedValue("price " + std::to_string(e.price));
    }
    for (const Event& e : events) ids.insert(e.id);
    return Status::Ok();
  }
};

class MemoryProcessedStore : public store::ProcessedStore {
 public:
  int failures = 0;
  std::set<double> refuse;  // prices a column refuses
  bool refuse_all = false;  // a store problem, not a row's
  int commits = 0;
  std::map<std::string, CleanedEvent> rows;
  std::vector<store::DeadLetter> dead;
  OffsetMap offsets;
  Status Init() override { return Status::Ok(); }
  using store::ProcessedStore::Commit;
  Status Commit(const store::ProcessedBatch& b, store::CommitCounts* counts) override {
    if (failures > 0) {
      --failures;
      return Status::Unavailable("processed store down");
    }
    for (const auto& r : b.rows) {
      if (refuse_all || refuse.count(r.price)) {
        return Status::RefusedValue("Incorrect value " + std::to_string(r.price));
      }
    }
    ++commits;
    int64_t added = 0;
    for (const auto& r : b.rows) added += rows.emplace(r.id, r).second ? 1 : 0;
    if (counts) counts->new_rows = added;
    dead.insert(dead.end(), b.dead_letters.begin(), b.dead_letters.end());
    for (auto [p, o] : b.next_offsets) offsets[p] = o;
    return Status::Ok();
  }
  Result<OffsetMap> LoadOffsets(const std::string&, const std::vector<int32_t>&) override {
    return offsets;
  }
};

std::vector<std::string> Messages(int good, int bad_every) {
  Uuid1Generator ids;
  std::vector<std::string> out;
  for (int i = 0; i < good; ++i) {
    Event e;
    e.event_time = "2019-11-01 00:00:00 UTC";
    e.event_type = i % 3 == 0 ? "purchase" : "view";
    e.price = i;
    e.id = ids.Next();
    EncodeEventJson(e, &out.emplace_back());
    if (bad_every > 0 && i % bad_every == 0) out.push_back("{\"truncated\": ");
  }
  return out;
}

ProcessorOptions Fast() {
  ProcessorOptions o;
  o.trigger = std::chrono::milliseconds(5);
  o.max_batch = 7;
  o.idle_exit = std::chrono::milliseconds(30);
  o.max_backoff = std::chrono::milliseconds(5);
  return o;
}

TEST(ProcessorTest, StoresGoodEventsAndDeadLettersTheRest) {
  bus::MemorySource source(Messages(100, 10));
  FlakyRawStore raw;
  MemoryProcessedStore processed;
  Processor p(source, raw, processed, Fast());
  std::atomic<bool> stop{false};
  ASSERT_TRUE(p.Run(stop).ok());
  EXPECT_EQ(processed.rows.size(), 100u);
  EXPECT_EQ(raw.ids.size(), 100u);
  EXPECT_EQ(processed.dead.size(), 10u);
  EXPECT_EQ(processed.offsets[0], 110);
  EXPECT_EQ(p.counters().dead_letters, 10);
  EXPECT_FALSE(processed.dead[0].reason.empty());
}

TEST(ProcessorTest, RowsAStoreRefusesBecomeDeadLettersAndTheStreamGoesOn) {
  bus::MemorySource source(Messages(100, 0));
  FlakyRawStore raw;
  raw.refuse = {17};
  MemoryProcessedStore processed;
  processed.refuse = {3, 4, 50};
  ProcessorOptions options = Fast();
  options.max_batch = 64;
  Processor p(source, raw, processed, options);
  std::atomic<bool> stop{false};
  ASSERT_TRUE(p.Run(stop).ok());
  EXPECT_EQ(processed.rows.size(), 96u);
  EXPECT_EQ(raw.ids.size(), 99u);  // the processed store's refusals were written raw
  ASSERT_EQ(processed.dead.size(), 4u);
  std::set<int64_t> dead_offsets;
  for (const store::DeadLetter& d : processed.dead) {
    dead_offsets.insert(d.offset);
    EXPECT_FALSE(d.payload.empty());
    EXPECT_TRUE(d.reason.find("store refused the row: ") != std::string::npos) << d.reason;
  }
  EXPECT_EQ(dead_offsets, (std::set<int64_t>{3, 4, 17, 50}));
  EXPECT_EQ(processed.offsets[0], 100);
  EXPECT_EQ(p.counters().processed, 96);
  EXPECT_EQ(p.counters().dead_letters, 4);
}

TEST(ProcessorTest, WritesRawAPieceAtATimeAndDeadLettersEachRefusedRowsOwnMessage) {
  const std::vector<std::string> messages = Messages(100, 9);  // 12 that do not decode
  bus::MemorySource source(messages);
  FlakyRawStore raw;
  raw.refuse = {17, 40, 41};  // in pieces after the first, across a piece's boundary
  MemoryProcessedStore processed;
  processed.refuse = {5, 77};
  ProcessorOptions options = Fast();
  options.max_batch = 64;
  options.raw_piece = 5;
  Processor p(source, raw, processed, options);
  std::atomic<bool> stop{false};
  ASSERT_TRUE(p.Run(stop).ok());
  EXPECT_LE(raw.largest_write, 5u);
  EXPECT_EQ(raw.ids.size(), 97u);
  EXPECT_EQ(processed.rows.size(), 95u);
  ASSERT_EQ(processed.dead.size(), 17u);
  std::set<double> refused_prices;
  for (const store::DeadLetter& d : processed.dead) {
    ASSERT_GE(d.offset, 0);
    ASSERT_LT(d.offset, static_cast<int64_t>(messages.size()));
    EXPECT_EQ(d.payload, messages[static_cast<size_t>(d.offset)]) << d.reason;
    if (d.reason.find("store refused the row: ") == std::string::npos) continue;
    Event e;
    ASSERT_TRUE(EventDecoder().Decode(d.payload, &e).ok());
    refused_prices.insert(e.price);
  }
  EXPECT_EQ(refused_prices, (std::set<double>{5, 17, 40, 41, 77}));
  for (const auto& [id, row] : processed.rows) EXPECT_EQ(refused_prices.count(row.price), 0u);
  EXPECT_EQ(processed.offsets[0], static_cast<int64_t>(messages.size()));
  EXPECT_EQ(p.counters().processed, 95);
  EXPECT_EQ(p.counters().dead_letters, 17);
}

TEST(ProcessorTest, AStoreThatRefusesEveryRowStopsInsteadOfDeadLetteringAll) {
  bus::MemorySource source(Messages(10, 0));
  FlakyRawStore raw;
  MemoryProcessedStore processed;
  processed.refuse_all = true;
  Processor p(source, raw, processed, Fast());
  std::atomic<bool> stop{false};
  Status s = p.Run(stop);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("refused every one of"), std::string::npos) << s.ToString();
  EXPECT_TRUE(processed.dead.empty());
  EXPECT_TRUE(processed.offsets.empty());
}

TEST(ProcessorTest, ResumesFromTheStoredOffsets) {
  auto messages = Messages(50, 0);
  MemoryProcessedStore processed;
  FlakyRawStore raw;
  processed.offsets[0] = 20;  // as if a previous run had committed the first 20
  bus::MemorySource source(messages);
  Processor p(source, raw, processed, Fast());
  std::atomic<bool> stop{false};
  ASSERT_TRUE(p.Run(stop).ok());
  EXPECT_EQ(processed.rows.size(), 30u);
  EXPECT_EQ(p.counters().consumed, 30);
}

TEST(ProcessorTest, CountsOnlyTheRowsItsCommitsStored) {
  // A member that took a partition over read it from an offset another member had already
  // passed (it committed after this one loaded the offsets): the rows stored twice are
  // skipped by the store, and the final "processed N" must not count them again.
  auto messages = Messages(50, 0);
  MemoryProcessedStore processed;
  FlakyRawStore raw;
  {
    bus::MemorySource first(std::vector<std::string>(messages.begin(), messages.begin() + 20));
    Processor p(first, raw, processed, Fast());
    std::atomic<bool> stop{false};
    ASSERT_TRUE(p.Run(stop).ok());
    EXPECT_EQ(p.counters().processed, 20);
  }
  processed.offsets.clear();  // the second member loaded them before the first one's commit
  bus::MemorySource second(messages);
  Processor p(second, raw, processed, Fast());
  std::atomic<bool> stop{false};
  ASSERT_TRUE(p.Run(stop).ok());
  EXPECT_EQ(p.counters().consumed, 50);
  EXPECT_EQ(processed.rows.size(), 50u);
  EXPECT_EQ(p.counters().processed, 30);
}

TEST(ProcessorTest, WaitsOutOutagesAndLosesNothing) {
  bus::MemorySource source(Messages(40, 0));
  FlakyRawStore raw;
  raw.failures = 3;
  MemoryProcessedStore processed;
  processed.failures = 2;
  Processor p(source, raw, processed, Fast());
  std::atomic<bool> stop{false};
  ASSERT_TRUE(p.Run(stop).ok());
  EXPECT_EQ(processed.rows.size(), 40u);
  EXPECT_EQ(p.counters().retries, 5);
}

TEST(ProcessorTest, ClosesABatchOnceTheBusIsQuietInsteadOfWaitingForTheTrigger) {
  bus::MemorySource source(Messages(30, 0));
  FlakyRawStore raw;
  MemoryProcessedStore processed;
  ProcessorOptions options = Fast();
  options.trigger = std::chrono::hours(1);  // without the linger, Run would not return
  options.max_batch = 1000;
  Processor p(source, raw, processed, options);
  std::atomic<bool> stop{false};
  ASSERT_TRUE(p.Run(stop).ok());
  EXPECT_EQ(processed.rows.size(), 30u);
  EXPECT_EQ(p.counters().batches, 1);
}

// A stream that is never quiet for a whole linger: one message every millisecond.
class SteadySource : public bus::MessageSource {
 public:
  explicit SteadySource(std::vector<std::string> payloads) : inner_(std::move(payloads)) {}
  void SetAssignmentListener(AssignmentListener listener) override {
    inner_.SetAssignmentListener(std::move(listener));
  }
  Status PollInto(size_t, std::chrono::milliseconds, bus::MessageBatch* out) override {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
    return inner_.PollInto(1, {}, out);
  }
  int64_t Lag() override { return inner_.Lag(); }
  std::string stream_name() const override { return inner_.stream_name(); }

 private:
  bus::MemorySource inner_;
};

TEST(ProcessorTest, ClosesABatchOfASteadyStreamOnceTheCommitterIsIdle) {
  SteadySource source(Messages(400, 0));
  FlakyRawStore raw;
  MemoryProcessedStore processed;
  ProcessorOptions options = Fast();
  options.trigger = std::chrono::hours(1);  // without the idle committer, one batch in the end
  options.linger = std::chrono::milliseconds(20);
  options.max_batch = 1000;
  Processor p(source, raw, processed, options);
  std::atomic<bool> stop{false};
  ASSERT_TRUE(p.Run(stop).ok());
  EXPECT_EQ(processed.rows.size(), 400u);
  EXPECT_GT(p.counters().batches, 1);
}

// Holds people to write back in `pieces_per_commit` pieces after each commit, as the SQL stores
// do between batches.
class WriteBackStore : public MemoryProcessedStore {
 public:
  int pieces_per_commit = 20;
  int pieces_left = 0;
  std::vector<std::pair<size_t, int>> at_commit;  // rows stored before it, pieces left
  std::function<void()> after_piece;
  Status Commit(const store::ProcessedBatch& b, store::CommitCounts* counts) override {
    at_commit.emplace_back(rows.size(), pieces_left);
    Status s = MemoryProcessedStore::Commit(b, counts);
    if (s.ok()) pieces_left = pieces_per_commit;
    return s;
  }
  Status Flush() override {
    pieces_left = 0;
    return Status::Ok();
  }
  Result<bool> FlushPiece() override {
    if (pieces_left > 0) --pieces_left;
    if (after_piece) after_piece();
    return pieces_left == 0;
  }
};

TEST(ProcessorTest, AQuietStreamsWriteBackGoesAPieceAtATimeAndMessagesDoNotWaitForAllOfIt) {
  auto partitions = std::make_shared<bus::MemoryPartitions>(
      std::map<int32_t, std::vector<std::string>>{{0, Messages(5, 0)}});
  bus::MemorySource source(partitions);
  FlakyRawStore raw;
  WriteBackStore processed;
  int pieces = 0;
  std::atomic<bool> stop{false};
  // The stream's second part arrives once the quiet stream's write-back is three pieces in;
  // the run stops once both parts are stored and written back. (The idle exit only bounds a
  // run that never gets there.)
  processed.after_piece = [&] {
    if (++pieces == 3) partitions->Append(0, Messages(5, 0));
    if (processed.rows.size() == 10 && processed.pieces_left == 0) stop = true;
  };
  ProcessorOptions options = Fast();
  options.idle_exit = std::chrono::seconds(10);
  Processor p(source, raw, processed, options);
  ASSERT_TRUE(p.Run(stop).ok());
  EXPECT_EQ(processed.rows.size(), 10u);
  // The second part committed with the first part's write-back begun and not finished: it
  // waited for a piece, not for the whole write-back. Before stopping, all was written back.
  auto second = std::find_if(processed.at_commit.begin(), processed.at_commit.end(),
                             [](const auto& at) { return at.first == 5; });
  ASSERT_NE(second, processed.at_commit.end());
  EXPECT_GT(second->second, 0);
  EXPECT_LT(second->second, processed.pieces_per_commit);
  EXPECT_EQ(processed.pieces_left, 0);
}

}  // namespace
}  // namespace shopstream::pipeline
