// What every processed store keeps of dead letters and their replays (store/store.h): the code
// each letter was given, and a replay's rows counted in processor_stats once, in the replay's
// transaction. SQLite always, MariaDB and PostgreSQL when scripts/stack runs them.
#include <gtest/gtest.h>

#include <cstdlib>

#include "conformance/test_backends.h"
#include "endpoints/open_store.h"
#include "sketch/hash64.h"

namespace shopstream::conformance {
namespace {

CleanedEvent Row(const std::string& id) {
  CleanedEvent row;
  row.id = id;
  row.event_time = "2019-11-01 00:00:05";
  row.event_type = "view";
  row.department = "electronics";
  row.product = "smartphone";
  row.brand = "apple";
  row.price = 10;
  row.user_hash = sketch::Hash64(int64_t{7}, sketch::kUserSeed);
  return row;
}

class DeadLetterStoreContract : public DatabaseTest {
 protected:
  std::unique_ptr<store::ProcessedStore> OpenStore() {
    auto store = endpoints::OpenProcessedStore(db_->Uri("operations"));
    EXPECT_TRUE(store.ok()) << store.status().ToString();
    if (!store.ok()) return nullptr;
    Status s = (*store)->Init();
    EXPECT_TRUE(s.ok()) << s.ToString();
    return std::move(store).value();
  }
  std::string Text(const std::string& sql) {
    std::string out;
    for (const SqlRow& row : Rows(sql)) {
      for (const auto& v : row) out += (v ? *v : "NULL") + " ";
      out += "| ";
    }
    return out;
  }
  std::string Stats() {
    return Text("SELECT batches, events, dead_letters FROM processor_stats WHERE stream = 's'");
  }
  std::string Letters() {
    return Text("SELECT " + db_->dialect().Quote("offset") +
                ", code, field, state, replays FROM dead_letters ORDER BY " +
                db_->dialect().Quote("offset"));
  }
};

// Two letters with reasons no old wording matches: each keeps the code it came with.
TEST_P(DeadLetterStoreContract, ALetterKeepsTheCodeItWasGivenWhateverItsReasonSays) {
  auto store = OpenStore();
  ASSERT_TRUE(store);
  store::ProcessedBatch batch;
  batch.stream = "s";
  batch.dead_letters = {
      {0, 1, "the date does not exist", "{}", "event_time.calendar", "event_time"},
      {0, 2, "not JSON: brand 'x' is not valid UTF-8", "{}", "price.range", "price"},
      {0, 3, "no code given", "{}", "", ""}};
  batch.next_offsets = {{0, 4}};
  ASSERT_TRUE(store->Commit(batch).ok());
  EXPECT_EQ(Letters(),
            "1 event_time.calendar event_time open 0 | 2 price.range price open 0 | "
            "3 other NULL open 0 | ");
}

// A replay's new rows count in processor_stats' events once; a rerun of the same replay, a
// failed try and a row stored before add nothing; a failed try keeps the code it was given.
TEST_P(DeadLetterStoreContract, AReplayCountsItsNewRowsInProcessorStatsOnce) {
  auto store = OpenStore();
  ASSERT_TRUE(store);
  store::ProcessedBatch batch;
  batch.stream = "s";
  batch.rows = {Row("a1")};
  batch.dead_letters = {{0, 1, "r", "{}", "json.syntax", ""},
                        {0, 2, "r", "{}", "event_time.calendar", "event_time"},
                        {0, 3, "r", "{}", "id.format", "id"}};
  batch.next_offsets = {{0, 4}};
  ASSERT_TRUE(store->Commit(batch).ok());
  ASSERT_EQ(Stats(), "1 1 3 | ");

  store::ProcessedBatch replay;
  replay.stream = "s";
  replay.rows = {Row("a2"), Row("a1")};  // letter 3's id was stored before
  replay.replayed = {
      {0, 2, "", "", ""}, {0, 3, "", "", ""}, {0, 1, "worded anew", "json.shape", ""}};
  store::CommitCounts counts;
  ASSERT_TRUE(store->Commit(replay, &counts).ok());
  EXPECT_EQ(counts.new_rows, 1);
  EXPECT_EQ(Stats(), "1 2 3 | ");  // batches and dead_letters count what process committed
  EXPECT_EQ(Text("SELECT COUNT(*) FROM operations"), "2 | ");
  EXPECT_EQ(Letters(),
            "1 json.shape NULL open 1 | 2 event_time.calendar event_time replayed 1 | "
            "3 id.format id replayed 1 | ");

  // The same replay again (a rerun after a kill that came after the commit): nothing new.
  ASSERT_TRUE(store->Commit(replay, &counts).ok());
  EXPECT_EQ(counts.new_rows, 0);
  EXPECT_EQ(Stats(), "1 2 3 | ");
  EXPECT_EQ(Text("SELECT SUM(events) FROM rollup_minute"), "2 | ");
}

// A replay into a store whose processor_stats has no row for the stream yet starts one.
TEST_P(DeadLetterStoreContract, AReplayStartsTheStreamsStatsRowWhenThereIsNone) {
  auto store = OpenStore();
  ASSERT_TRUE(store);
  store::ProcessedBatch replay;
  replay.stream = "s";
  replay.rows = {Row("b1")};
  replay.replayed = {{0, 9, "", "", ""}};
  ASSERT_TRUE(store->Commit(replay).ok());
  EXPECT_EQ(Stats(), "0 1 0 | ");
}

INSTANTIATE_TEST_SUITE_P(EveryDatabase, DeadLetterStoreContract,
                         ::testing::Range(size_t{0}, Backends().size()),
                         [](const auto& info) { return Backends()[info.param].name; });

}  // namespace
}  // namespace shopstream::conformance
