#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "sqlite/sqlite.h"
#include "store/sqlite/sqlite_stores.h"

namespace shopstream {
namespace {

std::string TempPath(const std::string& name) {
  auto dir = std::filesystem::temp_directory_path() / ("ss-store-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  auto path = dir / name;
  std::filesystem::remove(path);
  return path.string();
}

CleanedEvent Row(const std::string& id, const std::string& type, double price) {
  return CleanedEvent{
      id,    "2019-11-08 08:14:53",           type, "electronics", "smartphone", "apple",
      price, type == "purchase" ? price : 0.0};
}

int64_t QueryInt(const std::string& path, const std::string& sql) {
  auto db = sqlite::Database::Open(path, sqlite::Database::Mode::kReadOnly);
  auto st = (*db)->Prepare(sql);
  EXPECT_TRUE(st.ok()) << st.status().ToString();
  EXPECT_TRUE(st->Step().value());
  return st->ColumnInt(0);
}

TEST(SqliteProcessedStoreTest, CommitsRowsRollupsOffsetsAndDeadLettersTogether) {
  std::string path = TempPath("p.db");
  auto store = OpenSqliteProcessedStore(path);
  ASSERT_TRUE(store.ok());
  ASSERT_TRUE((*store)->Init().ok());

  ProcessedBatch batch;
  batch.stream = "s";
  batch.rows = {Row("a", "view", 10), Row("b", "purchase", 20), Row("a", "view", 10)};
  batch.dead_letters = {{0, 7, "not JSON", "{"}};
  batch.next_offsets = {{0, 8}};
  ASSERT_TRUE((*store)->Commit(batch).ok());
  // The same batch again (a replay after a crash) adds no rows and no rollup counts.
  ASSERT_TRUE((*store)->Commit(batch).ok());

  EXPECT_EQ(QueryInt(path, "SELECT count(*) FROM operations"), 2);
  EXPECT_EQ(QueryInt(path, "SELECT sum(events) FROM rollup_minute"), 2);
  EXPECT_EQ(QueryInt(path, "SELECT sum(events) FROM rollup_hour_brand"), 2);
  EXPECT_EQ(QueryInt(path, "SELECT sum(revenue) FROM rollup_hour_product"), 20);
  EXPECT_EQ(QueryInt(path, "SELECT sum(events) FROM rollup_hour WHERE bucket = '2019-11-08 08'"),
            2);
  EXPECT_EQ(QueryInt(path, "SELECT sum(events) FROM rollup_brand WHERE brand = 'apple'"), 2);
  EXPECT_EQ(QueryInt(path, "SELECT sum(revenue) FROM rollup_product"), 20);
  EXPECT_EQ(QueryInt(path, "SELECT count(*) FROM dead_letters"), 1);
  EXPECT_EQ(QueryInt(path, "SELECT events FROM processor_stats"), 2);
  EXPECT_EQ(QueryInt(path, "SELECT batches FROM processor_stats"), 2);

  auto offsets = (*store)->LoadOffsets("s", {});
  ASSERT_TRUE(offsets.ok());
  EXPECT_EQ(offsets.value(), (OffsetMap{{0, 8}}));
  EXPECT_TRUE((*store)->LoadOffsets("other", {})->empty());

  // A late commit of an older position (a member that lost the partition) does not rewind.
  ProcessedBatch stale;
  stale.stream = "s";
  stale.next_offsets = {{0, 5}};
  ASSERT_TRUE((*store)->Commit(stale).ok());
  EXPECT_EQ((*store)->LoadOffsets("s", {}).value(), (OffsetMap{{0, 8}}));
}

// A store from before the coarse rollups: Init creates them and fills them from the fine ones,
// once; later batches add to both.
TEST(SqliteProcessedStoreTest, InitFillsCoarseRollupsOfAnOlderStore) {
  std::string path = TempPath("old.db");
  {
    auto store = OpenSqliteProcessedStore(path);
    ASSERT_TRUE(store.ok() && (*store)->Init().ok());
    ProcessedBatch batch;
    batch.stream = "s";
    batch.rows = {Row("a", "view", 10), Row("b", "purchase", 20)};
    ASSERT_TRUE((*store)->Commit(batch).ok());
  }
  {
    auto db = sqlite::Database::Open(path, sqlite::Database::Mode::kReadWriteCreate);
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE(
        (*db)
            ->Exec("DROP TABLE rollup_hour; DROP TABLE rollup_brand; DROP TABLE rollup_product")
            .ok());
  }
  for (int opening = 0; opening < 2; ++opening) {  // the second Init must not fill again
    auto store = OpenSqliteProcessedStore(path);
    ASSERT_TRUE(store.ok() && (*store)->Init().ok());
  }
  EXPECT_EQ(QueryInt(path, "SELECT sum(events) FROM rollup_hour"), 2);
  EXPECT_EQ(QueryInt(path, "SELECT sum(events) FROM rollup_day WHERE bucket = '2019-11-08'"), 2);
  EXPECT_EQ(QueryInt(path, "SELECT sum(events) FROM rollup_brand"), 2);
  EXPECT_EQ(QueryInt(path, "SELECT sum(revenue) FROM rollup_product"), 20);

  auto store = OpenSqliteProcessedStore(path);
  ASSERT_TRUE(store.ok() && (*store)->Init().ok());
  ProcessedBatch more;
  more.stream = "s";
  more.rows = {Row("c", "cart", 5)};
  ASSERT_TRUE((*store)->Commit(more).ok());
  EXPECT_EQ(QueryInt(path, "SELECT sum(events) FROM rollup_hour"), 3);
  EXPECT_EQ(QueryInt(path, "SELECT sum(events) FROM rollup_day"), 3);
  EXPECT_EQ(QueryInt(path, "SELECT sum(events) FROM rollup_product"), 3);
}

TEST(SqliteRawStoreTest, UpsertsByIdAndKeepsMissingValuesNull) {
  std::string path = TempPath("r.db");
  auto store = OpenSqliteRawStore(path);
  ASSERT_TRUE((*store)->Init().ok());
  Event e;
  e.id = "x";
  e.event_time = "2019-11-08 08:14:53 UTC";
  e.event_type = "view";
  e.brand = "it's \"quoted\"; DROP TABLE raw_operations; --";
  ASSERT_TRUE((*store)->Write({e, e}).ok());
  ASSERT_TRUE((*store)->Write({e}).ok());
  EXPECT_EQ(QueryInt(path, "SELECT count(*) FROM raw_operations"), 1);
  EXPECT_EQ(QueryInt(path, "SELECT count(*) FROM raw_operations WHERE category_code IS NULL"), 1);
  EXPECT_EQ(QueryInt(path,
                     "SELECT count(*) FROM raw_operations WHERE brand = "
                     "'it''s \"quoted\"; DROP TABLE raw_operations; --'"),
            1);
}

}  // namespace
}  // namespace shopstream
