// A dead letter's code travels from where its refusal was decided (the decoder, the contract, a
// store's refusal, a replay) to the batch the store commits; the store never reads it back from
// the reason's text.
#include <gtest/gtest.h>

#include "event/json_codec.h"
#include "pipeline/batch_builder.h"
#include "pipeline/dead_letter_replay.h"

namespace shopstream::pipeline {
namespace {

std::string Good(const std::string& id, const std::string& time = "2019-11-01 00:00:00") {
  Event e;
  e.event_time = time;
  e.event_type = "view";
  e.price = 1;
  e.id = id;
  std::string out;
  EncodeEventJson(e, &out);
  return out;
}

const char* kId1 = "6b1f7e2c-0000-11ef-8000-0242ac120001";
const char* kId2 = "6b1f7e2c-0000-11ef-8000-0242ac120002";

TEST(DeadLetterCode, TheBatchCarriesTheCodeItsRuleGave) {
  BatchBuilder builder;
  const std::string payloads[] = {"{not json", Good(kId1, "2019-02-30 00:00:00"),
                                  Good("not-a-uuid"), Good(kId2)};
  std::vector<bus::Message> messages;  // they point into `payloads`
  for (int64_t i = 0; i < 4; ++i) messages.push_back({0, i + 1, payloads[i]});
  DecodedBatch batch = builder.Build("s", messages);
  const auto& dead = batch.processed.dead_letters;
  std::string reasons;
  for (const store::DeadLetter& d : dead) reasons += d.reason + "\n";
  ASSERT_EQ(dead.size(), 3u) << reasons;
  EXPECT_EQ(dead[0].code + "/" + dead[0].field, "json.syntax/");
  EXPECT_EQ(dead[1].code + "/" + dead[1].field, "event_time.calendar/event_time");
  EXPECT_EQ(dead[2].code + "/" + dead[2].field, "id.format/id");

  // A row a store refuses: the processor's own code, whatever the store's message says.
  batch.DeadLetterRows({{0, "value is not valid UTF-8 (event_time '2019-02-30')"}}, "mysql://h/db");
  ASSERT_EQ(dead.size(), 4u);
  EXPECT_EQ(dead[3].offset, 4);
  EXPECT_EQ(dead[3].code + "/" + dead[3].field, "store.refused/");
}

// Keeps each replay batch; refuses rows whose id is in `refuse`.
class RecordingStore : public store::ProcessedStore {
 public:
  std::string refuse;
  std::vector<store::ProcessedBatch> commits;
  Status Init() override { return Status::Ok(); }
  using store::ProcessedStore::Commit;
  Status Commit(const store::ProcessedBatch& b, store::CommitCounts*) override {
    for (const CleanedEvent& r : b.rows) {
      if (r.id == refuse) return Status::RefusedValue("a trigger said no");
    }
    commits.push_back(b);
    return Status::Ok();
  }
  Result<OffsetMap> LoadOffsets(const std::string&, const std::vector<int32_t>&) override {
    return OffsetMap{};
  }
};

TEST(DeadLetterCode, AReplayGivesEachFailureItsCode) {
  RecordingStore store;
  store.refuse = kId2;
  DeadLetterReplayer replayer(store, {});
  ASSERT_TRUE(replayer
                  .Replay("s", {{0, 1, Good(kId1, "2019-11-01 25:00:00")},
                                {0, 2, Good(kId2)},
                                {0, 3, Good("6b1f7e2c-0000-11ef-8000-0242ac120003")}})
                  .ok());
  std::map<int64_t, std::string> outcome;
  for (const store::ProcessedBatch& b : store.commits) {
    for (const store::ReplayOutcome& r : b.replayed) {
      outcome[r.offset] = r.reason.empty() ? "stored" : r.code + "/" + r.field;
    }
  }
  EXPECT_EQ(outcome[1], "event_time.calendar/event_time");
  EXPECT_EQ(outcome[2], "store.refused/");
  EXPECT_EQ(outcome[3], "stored");
  EXPECT_EQ(replayer.counts().failed_by_code,
            (std::map<std::string, int64_t>{{"event_time.calendar", 1}, {"store.refused", 1}}));
}

}  // namespace
}  // namespace shopstream::pipeline
