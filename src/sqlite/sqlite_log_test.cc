#include "sqlite/sqlite_log.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>

namespace shopstream::sqlite {
namespace {

// This run's folder, removed when the tests end.
struct TestFolder {
  std::filesystem::path path =
      std::filesystem::temp_directory_path() / ("ss-log-" + std::to_string(getpid()));
  ~TestFolder() { std::filesystem::remove_all(path); }
};

std::string TempPath(const std::string& name) {
  static TestFolder folder;
  std::filesystem::create_directories(folder.path);
  auto path = folder.path / name;
  std::filesystem::remove(path);
  return path.string();
}

TEST(SqliteLogTest, ASourceWaitsForALogThatDoesNotExistYetWithoutCreatingIt) {
  std::string path = TempPath("later.db");
  auto src = OpenSqliteLogSource(path, /*start_latest=*/false);
  ASSERT_TRUE(src.ok());
  auto batch = (*src)->Poll(10, std::chrono::milliseconds(5));
  ASSERT_TRUE(batch.ok()) << batch.status().ToString();
  EXPECT_TRUE(batch->empty());
  EXPECT_FALSE(std::filesystem::exists(path));
  EXPECT_EQ((*src)->Lag(), -1);
  auto pub = OpenSqliteLogPublisher(path);
  ASSERT_TRUE(pub.ok());
  ASSERT_TRUE((*pub)->Publish({"a"}).ok());
  batch = (*src)->Poll(10, std::chrono::milliseconds(5));
  ASSERT_TRUE(batch.ok());
  ASSERT_EQ(batch->size(), 1u);
  EXPECT_EQ((*src)->stream_name().rfind("sqlite-log:", 0), 0u);
}

TEST(SqliteLogTest, AFileThatIsNotALogIsRefused) {
  std::string path = TempPath("not-a-log.db");
  {
    std::FILE* f = std::fopen(path.c_str(), "w");
    std::fputs("event_time,event_type\n", f);
    std::fclose(f);
  }
  auto src = OpenSqliteLogSource(path, /*start_latest=*/false);
  ASSERT_TRUE(src.ok());
  auto batch = (*src)->Poll(10, std::chrono::milliseconds(5));
  ASSERT_FALSE(batch.ok());
  EXPECT_NE(batch.status().ToString().find("not-a-log.db"), std::string::npos)
      << batch.status().ToString();
}

// What `shopstream status --from sqlite://` shows: the stream name the readers store their
// offsets under, and the next offset to be written.
TEST(SqliteLogTest, ReadsTheEndAndTheStreamNameOfALog) {
  std::string path = TempPath("end.db");
  EXPECT_EQ(ReadSqliteLogEnd(path).status().code(), StatusCode::kNotFound);
  auto pub = OpenSqliteLogPublisher(path);
  ASSERT_TRUE(pub.ok());
  auto empty = ReadSqliteLogEnd(path);
  ASSERT_TRUE(empty.ok()) << empty.status().ToString();
  EXPECT_EQ(empty->end_offset, 0);
  ASSERT_TRUE((*pub)->Publish({"a", "b", "c"}).ok());
  auto end = ReadSqliteLogEnd(path);
  ASSERT_TRUE(end.ok()) << end.status().ToString();
  EXPECT_EQ(end->end_offset, 3);
  auto src = OpenSqliteLogSource(path, /*start_latest=*/false);
  ASSERT_TRUE(src.ok());
  ASSERT_TRUE((*src)->Poll(10, std::chrono::milliseconds(5)).ok());
  EXPECT_EQ(end->stream, (*src)->stream_name());
  std::string not_a_log = TempPath("text.db");
  std::FILE* f = std::fopen(not_a_log.c_str(), "w");
  std::fputs("event_time,event_type\n", f);
  std::fclose(f);
  EXPECT_EQ(ReadSqliteLogEnd(not_a_log).status().code(), StatusCode::kInvalidArgument);
}

TEST(SqliteLogTest, AppendsWithGaplessOffsetsAndReadsInOrder) {
  std::string path = TempPath("a.db");
  auto pub = OpenSqliteLogPublisher(path);
  ASSERT_TRUE(pub.ok()) << pub.status().ToString();
  ASSERT_TRUE((*pub)->Publish({"a", "b", "c"}).ok());
  ASSERT_TRUE((*pub)->Publish({"d"}).ok());

  auto src = OpenSqliteLogSource(path, /*start_latest=*/false);
  ASSERT_TRUE(src.ok());
  auto batch = (*src)->Poll(3, std::chrono::milliseconds(10));
  ASSERT_TRUE(batch.ok());
  ASSERT_EQ(batch->size(), 3u);
  EXPECT_EQ((*batch)[0].offset, 0);
  EXPECT_EQ((*batch)[2].payload, "c");
  EXPECT_EQ((*src)->Lag(), 1);
  batch = (*src)->Poll(10, std::chrono::milliseconds(10));
  ASSERT_EQ(batch->size(), 1u);
  EXPECT_EQ((*batch)[0].offset, 3);
  EXPECT_EQ((*batch)[0].payload, "d");
  batch = (*src)->Poll(10, std::chrono::milliseconds(10));
  EXPECT_TRUE(batch->empty());
}

TEST(SqliteLogTest, ResumesFromTheListenersOffsetsOrLatest) {
  std::string path = TempPath("b.db");
  auto pub = OpenSqliteLogPublisher(path);
  ASSERT_TRUE((*pub)->Publish({"a", "b", "c", "d"}).ok());

  auto src = OpenSqliteLogSource(path, false);
  std::vector<int32_t> asked;
  (*src)->SetAssignmentListener([&](const std::vector<int32_t>& parts) {
    asked = parts;
    return OffsetMap{{0, 2}};
  });
  auto batch = (*src)->Poll(10, std::chrono::milliseconds(10));
  ASSERT_EQ(batch->size(), 2u);
  EXPECT_EQ((*batch)[0].payload, "c");
  EXPECT_EQ(asked, std::vector<int32_t>{0});

  auto latest = OpenSqliteLogSource(path, /*start_latest=*/true);
  EXPECT_TRUE((*latest)->Poll(10, std::chrono::milliseconds(10))->empty());
  ASSERT_TRUE((*pub)->Publish({"e"}).ok());
  batch = (*latest)->Poll(10, std::chrono::milliseconds(10));
  ASSERT_EQ(batch->size(), 1u);
  EXPECT_EQ((*batch)[0].payload, "e");
  EXPECT_EQ((*src)->stream_name(), (*latest)->stream_name());
}

TEST(SqliteLogTest, RetentionKeepsTheNewestMessagesAndAReaderSkipsTheDeletedOnes) {
  std::string path = TempPath("r.db");
  auto pub = OpenSqliteLogPublisher(path, /*retain_messages=*/100);
  ASSERT_TRUE(pub.ok());
  auto src = OpenSqliteLogSource(path, false);
  auto first = (*src)->Poll(5, std::chrono::milliseconds(10));  // offsets 0..4 read early
  ASSERT_TRUE(first.ok());
  ASSERT_TRUE(first->empty());
  for (int i = 0; i < 50; ++i) {
    std::vector<std::string> payloads;
    for (int j = 0; j < 10; ++j) payloads.push_back(std::to_string(i * 10 + j));
    ASSERT_TRUE((*pub)->Publish(payloads).ok());
  }
  // 500 appended; trims happen in steps of 10, so between 100 and 110 remain.
  auto rest = (*src)->Poll(1000, std::chrono::milliseconds(10));
  ASSERT_TRUE(rest.ok());
  ASSERT_GE(rest->size(), 100u);
  ASSERT_LE(rest->size(), 110u);
  EXPECT_EQ(rest->back().offset, 499);
  EXPECT_EQ(rest->back().payload, "499");
  for (size_t i = 1; i < rest->size(); ++i) EXPECT_EQ((*rest)[i].offset, (*rest)[i - 1].offset + 1);
  EXPECT_EQ((*src)->Lag(), 0);
}

TEST(SqliteLogTest, UnopenablePathIsAClearError) {
  auto pub = OpenSqliteLogPublisher("/nonexistent-dir/x/log.db");
  ASSERT_FALSE(pub.ok());
  EXPECT_NE(pub.status().message().find("/nonexistent-dir/x/log.db"), std::string::npos);
}

}  // namespace
}  // namespace shopstream::sqlite
