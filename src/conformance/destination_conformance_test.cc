// The archive::Destination contract (archive/destination.h), stated once and run on every
// destination opened by URI: the local folder (file://) and WebHDFS (hdfs://, against the fake
// NameNode and DataNode of hdfs/fake_webhdfs.h; the real HDFS is
// tests/integration/test_archive.py).
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <sstream>
#include <string>

#include "archive/destination.h"
#include "endpoints/open_destination.h"
#include "hdfs/fake_webhdfs.h"

namespace shopstream::conformance {
namespace {

// One destination under test: its URI, and how to read back what it stored (outside the
// interface, so a destination cannot vouch for itself).
class Backend {
 public:
  virtual ~Backend() = default;
  virtual std::string Uri() const = 0;
  virtual std::string ReadBack(const std::string& relative) = 0;
};

class LocalFolder : public Backend {
 public:
  LocalFolder()
      : root_(std::filesystem::temp_directory_path() /
              ("destination_conformance_" + std::to_string(getpid()))) {
    std::filesystem::remove_all(root_);
  }
  ~LocalFolder() override { std::filesystem::remove_all(root_); }
  std::string Uri() const override { return "file://" + root_.string(); }
  std::string ReadBack(const std::string& relative) override {
    std::ifstream in(root_ / relative, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }

 private:
  std::filesystem::path root_;
};

class WebHdfs : public Backend {
 public:
  std::string Uri() const override {
    return "hdfs://127.0.0.1:" + std::to_string(hdfs_.port()) + "/arch";
  }
  std::string ReadBack(const std::string& relative) override {
    auto files = hdfs_.files();
    auto it = files.find("/arch/" + relative);
    return it == files.end() ? "" : it->second;
  }

 private:
  hdfs::FakeWebHdfs hdfs_;
};

struct Param {
  const char* name;
  std::function<std::unique_ptr<Backend>()> make;
};

class DestinationContract : public ::testing::TestWithParam<Param> {
 protected:
  void SetUp() override {
    backend_ = GetParam().make();
    auto opened = endpoints::OpenDestination(backend_->Uri());
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    dest_ = std::move(opened).value();
  }
  std::unique_ptr<Backend> backend_;
  std::unique_ptr<archive::Destination> dest_;
};

TEST_P(DestinationContract, AbsentFolderListsEmptyAndMakeDirsIsIdempotent) {
  auto absent = dest_->List("event_date=2019-11-09");
  ASSERT_TRUE(absent.ok()) << absent.status().ToString();  // absent: empty, not an error
  EXPECT_TRUE(absent->empty());
  ASSERT_TRUE(dest_->MakeDirs("event_date=2019-11-01").ok());
  ASSERT_TRUE(dest_->MakeDirs("event_date=2019-11-01").ok());  // exists: fine
  EXPECT_EQ(*dest_->List(""), std::vector<std::string>{"event_date=2019-11-01"});
}

TEST_P(DestinationContract, WritesBytesAsTheyAre) {
  std::string bytes(300'000, 'x');
  bytes[5] = '\0';
  bytes[299'999] = '\n';
  ASSERT_TRUE(dest_->MakeDirs("d").ok());
  ASSERT_TRUE(dest_->Write("d/_a.tmp", bytes).ok());
  EXPECT_EQ(backend_->ReadBack("d/_a.tmp"), bytes);
  EXPECT_EQ(*dest_->List("d"), std::vector<std::string>{"_a.tmp"});
}

TEST_P(DestinationContract, RenameRetriedAfterItWasDoneIsFineOfAFileThatNeverWasIsNot) {
  ASSERT_TRUE(dest_->MakeDirs("d").ok());
  ASSERT_TRUE(dest_->Write("d/_a.tmp", "bytes").ok());
  ASSERT_TRUE(dest_->Rename("d/_a.tmp", "d/a.parquet").ok());
  Status again = dest_->Rename("d/_a.tmp", "d/a.parquet");
  EXPECT_TRUE(again.ok()) << again.ToString();
  EXPECT_FALSE(dest_->Rename("d/_b.tmp", "d/b.parquet").ok());
  EXPECT_EQ(backend_->ReadBack("d/a.parquet"), "bytes");
  EXPECT_EQ(*dest_->List("d"), std::vector<std::string>{"a.parquet"});
}

TEST_P(DestinationContract, DeleteIsIdempotent) {
  ASSERT_TRUE(dest_->MakeDirs("d").ok());
  ASSERT_TRUE(dest_->Write("d/a.parquet", "bytes").ok());
  ASSERT_TRUE(dest_->Delete("d/a.parquet").ok());
  ASSERT_TRUE(dest_->Delete("d/a.parquet").ok());  // gone: fine
  EXPECT_TRUE(dest_->List("d")->empty());
}

TEST_P(DestinationContract, NamesItselfByItsUri) { EXPECT_EQ(dest_->uri(), backend_->Uri()); }

INSTANTIATE_TEST_SUITE_P(
    EveryDestination, DestinationContract,
    ::testing::Values(Param{"file", [] { return std::make_unique<LocalFolder>(); }},
                      Param{"webhdfs", [] { return std::make_unique<WebHdfs>(); }}),
    [](const auto& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace shopstream::conformance
