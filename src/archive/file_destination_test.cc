#include "archive/file_destination.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "archive/destination.h"
#include "endpoints/open_destination.h"

namespace shopstream::archive {
namespace {

class FileDestinationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ =
        std::filesystem::temp_directory_path() / ("archive_file_test_" + std::to_string(getpid()));
    std::filesystem::remove_all(root_);
  }
  void TearDown() override { std::filesystem::remove_all(root_); }
  std::string Read(const std::string& relative) {
    std::ifstream in(root_ / relative, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }
  std::filesystem::path root_;
};

TEST_F(FileDestinationTest, WritesListsRenamesDeletes) {
  auto d = endpoints::OpenDestination("file://" + root_.string());
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  Destination& dest = **d;
  EXPECT_TRUE(dest.List("event_date=2019-11-01")->empty());  // absent: empty, not an error
  ASSERT_TRUE(dest.MakeDirs("event_date=2019-11-01").ok());
  ASSERT_TRUE(dest.MakeDirs("event_date=2019-11-01").ok());  // exists: fine
  std::string bytes(100'000, 'x');
  bytes[5] = '\0';
  ASSERT_TRUE(dest.Write("event_date=2019-11-01/_a.tmp", bytes).ok());
  ASSERT_TRUE(dest.Rename("event_date=2019-11-01/_a.tmp", "event_date=2019-11-01/a.parquet").ok());
  // A retried rename that was done already is fine; one of a file that never was is not.
  EXPECT_TRUE(dest.Rename("event_date=2019-11-01/_a.tmp", "event_date=2019-11-01/a.parquet").ok());
  EXPECT_FALSE(dest.Rename("event_date=2019-11-01/_b.tmp", "event_date=2019-11-01/b.parquet").ok());
  EXPECT_EQ(Read("event_date=2019-11-01/a.parquet"), bytes);
  EXPECT_EQ(*dest.List(""), std::vector<std::string>{"event_date=2019-11-01"});
  EXPECT_EQ(*dest.List("event_date=2019-11-01"), std::vector<std::string>{"a.parquet"});
  ASSERT_TRUE(dest.Delete("event_date=2019-11-01/a.parquet").ok());
  ASSERT_TRUE(dest.Delete("event_date=2019-11-01/a.parquet").ok());  // gone: fine
  EXPECT_TRUE(dest.List("event_date=2019-11-01")->empty());
  EXPECT_EQ(dest.uri(), "file://" + root_.string());
}

TEST(OpenDestination, RefusesWhatItCannotUse) {
  for (const char* uri : {"file://", "s3://bucket/x", "hdfs://127.0.0.1:9870", "nonsense",
                          "hdfs://user:hunter2@127.0.0.1:9870/x"}) {
    auto d = endpoints::OpenDestination(uri);
    ASSERT_FALSE(d.ok()) << uri;
    EXPECT_EQ(d.status().code(), StatusCode::kInvalidArgument) << uri;
    EXPECT_EQ(d.status().message().find("hunter2"), std::string::npos);
  }
  EXPECT_TRUE(endpoints::OpenDestination("hdfs://127.0.0.1:9870/archive").ok());
  EXPECT_TRUE(endpoints::OpenDestination("webhdfs://me@127.0.0.1/archive").ok());
}

}  // namespace
}  // namespace shopstream::archive
