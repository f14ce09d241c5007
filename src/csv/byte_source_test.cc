#include "csv/byte_source.h"

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>

#include "csv/byte_sink.h"
#include "csv/test_files.h"

namespace shopstream::csv {
namespace {

std::string ReadEverything(ByteSource& source) {
  std::string out;
  char buffer[1000];
  for (;;) {
    Result<size_t> n = source.Read(buffer, sizeof buffer);
    EXPECT_TRUE(n.ok()) << n.status().ToString();
    if (!n.ok() || *n == 0) return out;
    out.append(buffer, *n);
  }
}

void WriteWithSink(const std::string& path, const std::string& content) {
  auto sink = OpenByteSink(path);
  ASSERT_TRUE(sink.ok()) << sink.status().ToString();
  ASSERT_TRUE((*sink)->Write(content).ok());
  ASSERT_TRUE((*sink)->Close().ok());
}

TEST(ByteSourceTest, MissingFileIsNotFoundNamingIt) {
  auto source = OpenByteSource("/nonexistent/dir/data.csv");
  ASSERT_FALSE(source.ok());
  EXPECT_EQ(source.status().code(), StatusCode::kNotFound);
  EXPECT_NE(source.status().message().find("/nonexistent/dir/data.csv"), std::string::npos);
}

TEST(ByteSourceTest, DirectoryIsIoError) {
  testing::TempDir dir;
  auto source = OpenByteSource(dir.File(""));
  ASSERT_FALSE(source.ok());
  EXPECT_EQ(source.status().code(), StatusCode::kIoError);
}

TEST(ByteSourceTest, RoundTripsPlainGzipAndZipThroughTheSinks) {
  testing::TempDir dir;
  std::string content;
  for (int i = 0; i < 20000; ++i) content += "line " + std::to_string(i) + "\n";
  for (const char* name : {"a.csv", "a.csv.gz", "a.zip"}) {
    WriteWithSink(dir.File(name), content);
    auto source = OpenByteSource(dir.File(name));
    ASSERT_TRUE(source.ok()) << source.status().ToString();
    EXPECT_EQ(ReadEverything(**source), content) << name;
    EXPECT_EQ((*source)->bytes_consumed(), (*source)->total_bytes()) << name;
    if (std::string(name) != "a.csv") {
      EXPECT_LT((*source)->total_bytes(), content.size());
    }
  }
}

TEST(ByteSourceTest, CorruptArchivesAreErrorsNamingTheFile) {
  testing::TempDir dir;
  for (const char* name : {"bad.csv.gz", "bad.zip"}) {
    auto source = OpenByteSource(dir.Write(name, "this is neither gzip nor zip"));
    ASSERT_FALSE(source.ok()) << name;
    EXPECT_NE(source.status().message().find(name), std::string::npos);
  }
  // A gzip stream cut short fails when the reading reaches the cut.
  std::string whole = dir.File("whole.csv.gz");
  WriteWithSink(whole, std::string(100000, 'x'));
  auto full = OpenByteSource(whole);
  ASSERT_TRUE(full.ok());
  std::string bytes;
  {
    std::ifstream in(whole, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), {});
  }
  auto cut = OpenByteSource(dir.Write("cut.csv.gz", bytes.substr(0, bytes.size() - 12)));
  ASSERT_TRUE(cut.ok());
  char buffer[4096];
  Status last;
  for (;;) {
    Result<size_t> n = (*cut)->Read(buffer, sizeof buffer);
    if (!n.ok()) {
      last = n.status();
      break;
    }
    if (*n == 0) break;
  }
  EXPECT_FALSE(last.ok());
  EXPECT_NE(last.message().find("cut.csv.gz"), std::string::npos);
}

TEST(ByteSourceTest, ReadsTheSampleZip) {
  auto source = OpenByteSource(testing::SampleZipPath());
  ASSERT_TRUE(source.ok()) << source.status().ToString();
  std::string content = ReadEverything(**source);
  EXPECT_EQ(content.size(), 1347915u);
  EXPECT_TRUE(content.starts_with("event_time,event_type,"));
}

TEST(ByteSinkTest, UnwritablePathIsIoErrorNamingIt) {
  for (const char* path :
       {"/nonexistent/out.csv", "/nonexistent/out.csv.gz", "/nonexistent/out.zip"}) {
    auto sink = OpenByteSink(path);
    ASSERT_FALSE(sink.ok()) << path;
    EXPECT_EQ(sink.status().code(), StatusCode::kIoError);
    EXPECT_NE(sink.status().message().find(path), std::string::npos);
  }
}

}  // namespace
}  // namespace shopstream::csv
