#include "bus/sqlite_log/sqlite_log.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

namespace shopstream {
namespace {

std::string TempPath(const std::string& name) {
  auto dir = std::filesystem::temp_directory_path() / ("ss-log-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  auto path = dir / name;
  std::filesystem::remove(path);
  return path.string();
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

TEST(SqliteLogTest, UnopenablePathIsAClearError) {
  auto pub = OpenSqliteLogPublisher("/nonexistent-dir/x/log.db");
  ASSERT_FALSE(pub.ok());
  EXPECT_NE(pub.status().message().find("/nonexistent-dir/x/log.db"), std::string::npos);
}

}  // namespace
}  // namespace shopstream
