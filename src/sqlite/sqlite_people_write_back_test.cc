// The people write-back in pieces (sql/people_write_back.h), on SQLite files: one round of rows
// per commit, the people offsets moved only by the last piece, and a store dropped half-way that
// resumes from them ends with the sketches of one write-back in a single transaction.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <map>
#include <string>
#include <vector>

#include "sketch/hash64.h"
#include "sql/sql_processed_store.h"
#include "sqlite/sqlite_client.h"
#include "sqlite/sqlite_database.h"

namespace shopstream::sqlite {
namespace {

using std::chrono::milliseconds;

// `count` events from offset `first` on, each of its own brand (a people_day row each) and user.
store::ProcessedBatch Batch(int64_t first, int count) {
  store::ProcessedBatch b;
  b.stream = "s";
  for (int64_t i = first; i < first + count; ++i) {
    CleanedEvent row;
    row.id = "r" + std::to_string(i);
    row.event_time =
        "2019-11-03 10:" + std::string(i % 60 < 10 ? "0" : "") + std::to_string(i % 60) + ":00";
    row.event_type = "view";
    row.department = "kids";
    row.product = "p";
    row.brand = "brand" + std::to_string(i);
    row.price = 1;
    row.user_hash = sketch::Hash64(i, sketch::kUserSeed);
    row.session_hash = sketch::Hash64(std::string_view(row.id), sketch::kSessionSeed);
    row.has_session = true;
    b.rows.push_back(row);
  }
  b.first_offsets = {{0, first}};
  b.next_offsets = {{0, first + count}};
  return b;
}

class PeopleWriteBackTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char dir[] = "/tmp/people_write_back_test_XXXXXX";
    dir_ = mkdtemp(dir);
  }
  void TearDown() override {
    const std::string cmd = "rm -rf '" + dir_ + "'";
    ASSERT_EQ(std::system(cmd.c_str()), 0);
  }

  // A store that starts a write-back at every commit and writes one round of it per commit.
  std::unique_ptr<store::ProcessedStore> Open(const std::string& file, bool in_pieces) {
    sql::SqlProcessedStoreOptions options;
    if (in_pieces) options = {.people_piece = milliseconds(0), .people_interval = milliseconds(0)};
    auto store = sql::MakeSqlProcessedStore(MakeSqliteDatabase(dir_ + "/" + file), options);
    EXPECT_TRUE(store->Init().ok());
    return store;
  }

  std::vector<std::string> Column(const std::string& file, const std::string& sql) {
    auto db = Database::Open(dir_ + "/" + file, Database::Mode::kReadOnly);
    EXPECT_TRUE(db.ok()) << db.status().ToString();
    std::vector<std::string> out;
    if (!db.ok()) return out;
    auto stmt = (*db)->Prepare(sql);
    EXPECT_TRUE(stmt.ok()) << stmt.status().ToString();
    if (!stmt.ok()) return out;
    for (;;) {
      auto row = stmt->Step();
      EXPECT_TRUE(row.ok());
      if (!row.ok() || !*row) break;
      out.push_back(std::string(stmt->ColumnText(0)));
    }
    return out;
  }
  // Every people row, key and sketches, as one string each, in key order.
  std::vector<std::string> People(const std::string& file) {
    std::vector<std::string> out;
    for (const char* table : {"people_minute", "people_hour", "people_day", "people_all"}) {
      for (std::string& row :
           Column(file, std::string("SELECT quote(scope) || brand || department || "
                                    "quote(users) || quote(sessions) FROM ") +
                            table + " ORDER BY 1")) {
        out.push_back(table + (": " + row));
      }
    }
    return out;
  }
  std::string PeopleOffset(const std::string& file) {
    auto v = Column(file, "SELECT next_offset FROM people_offsets");
    return v.empty() ? "none" : v.front();
  }

  std::string dir_;
};

TEST_F(PeopleWriteBackTest, APieceACommitThenTheOffsetsWithTheLast) {
  auto whole = Open("whole.db", false);
  ASSERT_TRUE(whole->Commit(Batch(0, 200)).ok());
  ASSERT_TRUE(whole->Flush().ok());

  auto pieces = Open("pieces.db", true);
  ASSERT_TRUE(pieces->Commit(Batch(0, 200)).ok());  // held: 200 brands, 60 minutes
  int commits = 0;
  for (int64_t next = 200; PeopleOffset("pieces.db") != "200"; ++next, ++commits) {
    ASSERT_LT(commits, 100) << "the write-back never ended";
    EXPECT_EQ(PeopleOffset("pieces.db"), "0");  // where people start, until the last piece
    ASSERT_TRUE(pieces->Commit(Batch(next, 0)).ok());
  }
  // 60 minute rows, 1 hour, 201 day and 2 all-time rows, 32 a round: more than one commit.
  EXPECT_GT(commits, 5);
  EXPECT_EQ(People("pieces.db"), People("whole.db"));
}

// A quiet stream's write-back (FlushPiece): a round of rows a call, the offsets with the last.
TEST_F(PeopleWriteBackTest, FlushPieceWritesAPieceACallThenSaysItIsDone) {
  auto whole = Open("whole.db", false);
  ASSERT_TRUE(whole->Commit(Batch(0, 200)).ok());
  ASSERT_TRUE(whole->Flush().ok());

  auto pieces = Open("pieces.db", true);
  ASSERT_TRUE(pieces->Commit(Batch(0, 200)).ok());
  int calls = 0;
  for (;;) {
    ASSERT_LT(calls, 100) << "the write-back never ended";
    auto done = pieces->FlushPiece();
    ASSERT_TRUE(done.ok()) << done.status().ToString();
    ++calls;
    if (*done) break;
    EXPECT_EQ(PeopleOffset("pieces.db"), "0");
  }
  EXPECT_GT(calls, 5);
  EXPECT_EQ(PeopleOffset("pieces.db"), "200");
  EXPECT_EQ(People("pieces.db"), People("whole.db"));
  auto again = pieces->FlushPiece();
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(*again);  // nothing held: done at once
}

TEST_F(PeopleWriteBackTest, AStoreDroppedHalfWayResumesFromThePeopleOffsets) {
  auto whole = Open("whole.db", false);
  ASSERT_TRUE(whole->Commit(Batch(0, 200)).ok());
  ASSERT_TRUE(whole->Commit(Batch(200, 100)).ok());
  ASSERT_TRUE(whole->Flush().ok());
  {
    auto pieces = Open("pieces.db", true);
    ASSERT_TRUE(pieces->Commit(Batch(0, 200)).ok());
    ASSERT_TRUE(pieces->Commit(Batch(200, 100)).ok());  // the first piece, and 100 more rows
    ASSERT_TRUE(pieces->Commit(Batch(300, 0)).ok());    // a second piece
    // Killed here: some people rows are written, the people offsets not moved.
  }
  EXPECT_EQ(PeopleOffset("pieces.db"), "0");
  EXPECT_NE(People("pieces.db"), People("whole.db"));
  auto again = Open("pieces.db", true);
  auto offsets = again->LoadOffsets("s", {});
  ASSERT_TRUE(offsets.ok());
  EXPECT_EQ(*offsets, (OffsetMap{{0, 0}}));  // read again from where people start
  ASSERT_TRUE(again->Commit(Batch(0, 200)).ok());
  ASSERT_TRUE(again->Commit(Batch(200, 100)).ok());
  ASSERT_TRUE(again->Flush().ok());
  EXPECT_EQ(PeopleOffset("pieces.db"), "300");
  EXPECT_EQ(People("pieces.db"), People("whole.db"));
  EXPECT_EQ(Column("pieces.db", "SELECT count(*) FROM operations"),
            std::vector<std::string>{"300"});
}

// A batch that resets the partition (a recreated topic) while a write-back from before the reset
// is under way: that write-back's last piece must not move the people offset past the stream's.
TEST_F(PeopleWriteBackTest, AResetDuringAWriteBackIsNotUndoneByItsLastPiece) {
  auto store = Open("pieces.db", true);
  ASSERT_TRUE(store->Commit(Batch(0, 200)).ok());
  ASSERT_TRUE(store->Commit(Batch(200, 0)).ok());  // the write-back of the first batch begins
  store::ProcessedBatch reset = Batch(5, 5);
  reset.reset_offsets = {{0, 5}};
  ASSERT_TRUE(store->Commit(reset).ok());
  for (int i = 0; i < 40; ++i) {
    ASSERT_TRUE(store->Commit(Batch(10, 0)).ok());
    const auto stream = Column("pieces.db", "SELECT next_offset FROM stream_offsets");
    ASSERT_EQ(stream, std::vector<std::string>{"10"});
    ASSERT_LE(std::stoll(PeopleOffset("pieces.db")), 10) << "after commit " << i;
  }
  ASSERT_TRUE(store->Flush().ok());
  EXPECT_EQ(PeopleOffset("pieces.db"), "10");
}

}  // namespace
}  // namespace shopstream::sqlite
