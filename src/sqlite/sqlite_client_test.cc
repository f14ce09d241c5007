#include "sqlite/sqlite_client.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>

namespace shopstream::sqlite {
namespace {

class SqliteTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/shopstream-sqlite-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    path_ = dir_ + "/two-writers.db";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::unique_ptr<Database> Open() {
    auto db = Database::Open(path_, Database::Mode::kReadWriteCreate);
    EXPECT_TRUE(db.ok()) << db.status().ToString();
    return db.ok() ? std::move(db).value() : nullptr;
  }

  std::string dir_, path_;
};

// Two connections that take turns writing, as the processor's raw and processed stages do on
// one file: one of them is nearly always inside a transaction, which kept SQLite's passive
// automatic checkpoint from ever starting the log over.
TEST_F(SqliteTest, TheLogStaysBoundedWhileTwoConnectionsTakeTurnsWriting) {
  auto first = Open();
  auto second = Open();
  ASSERT_TRUE(first && second);
  ASSERT_TRUE(first->Exec("CREATE TABLE a(v BLOB)").ok());
  ASSERT_TRUE(second->Exec("CREATE TABLE b(v BLOB)").ok());
  constexpr int kCommits = 1200;         // each connection
  constexpr int kBlobBytes = 96 * 1024;  // 2 x 1,200 x 96 KiB = 225 MiB through the log
  std::atomic<uintmax_t> largest_log{0};
  auto writer = [&](Database* db, const char* table) {
    auto insert = db->Prepare(std::string("INSERT INTO ") + table + " VALUES (zeroblob(" +
                              std::to_string(kBlobBytes) + "))");
    ASSERT_TRUE(insert.ok());
    for (int i = 0; i < kCommits; ++i) {
      ASSERT_TRUE(db->BeginImmediate().ok());
      ASSERT_TRUE(insert->Run().ok());
      ASSERT_TRUE(db->Exec(std::string("DELETE FROM ") + table).ok());  // the file stays small
      ASSERT_TRUE(db->Commit().ok());
      std::error_code ec;
      const uintmax_t log = std::filesystem::file_size(path_ + "-wal", ec);
      if (!ec && log > largest_log) largest_log = log;
    }
  };
  std::thread other(writer, second.get(), "b");
  writer(first.get(), "a");
  other.join();
  // 64 MiB before a restart is tried, plus what the other connection wrote meanwhile.
  EXPECT_LT(largest_log.load(), uintmax_t{100} << 20) << "bytes in the write-ahead log";
}

// The log is copied back into the file by the checkpointer's own connection, after the commit
// and without another: before its connection had read the file, its checkpoints did nothing.
TEST_F(SqliteTest, ACommittedLogIsCopiedBackWithoutAnotherCommit) {
  auto db = Open();
  ASSERT_TRUE(db);
  ASSERT_TRUE(db->Exec("CREATE TABLE a(v BLOB)").ok());
  constexpr int kRows = 2000;  // 2,000 x 8 KiB: about 4,000 pages, past the 1,000 that start it
  ASSERT_TRUE(db->BeginImmediate().ok());
  auto insert = db->Prepare("INSERT INTO a VALUES (randomblob(8192))");
  ASSERT_TRUE(insert.ok());
  for (int i = 0; i < kRows; ++i) ASSERT_TRUE(insert->Run().ok());
  ASSERT_TRUE(db->Commit().ok());
  const uintmax_t expected = uintmax_t{kRows} * 8192;
  uintmax_t file = 0;
  for (int polls = 0; polls < 600 && file < expected; ++polls) {  // up to a minute
    std::error_code ec;
    file = std::filesystem::file_size(path_, ec);
    if (file < expected) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_GE(file, expected) << "bytes in the database file, the log not copied back";
}

}  // namespace
}  // namespace shopstream::sqlite
