// Which archive destinations a URI opens, and what it refuses before any I/O.
#include "endpoints/open_destination.h"

#include <gtest/gtest.h>

namespace shopstream::endpoints {
namespace {

TEST(OpenDestination, RefusesWhatItCannotUseWithoutEchoingSecrets) {
  for (const char* uri : {"file://", "s3://bucket/x", "hdfs://127.0.0.1:9870", "nonsense",
                          "hdfs://user:hunter2@127.0.0.1:9870/x"}) {
    auto d = OpenDestination(uri);
    ASSERT_FALSE(d.ok()) << uri;
    EXPECT_EQ(d.status().code(), StatusCode::kInvalidArgument) << uri;
    EXPECT_EQ(d.status().message().find("hunter2"), std::string::npos);
  }
}

TEST(OpenDestination, OpensLocalFoldersAndHdfsWithoutContactingIt) {
  EXPECT_TRUE(OpenDestination("file:///tmp/archive").ok());
  EXPECT_TRUE(OpenDestination("hdfs://127.0.0.1:9870/archive").ok());
  EXPECT_TRUE(OpenDestination("webhdfs://me@127.0.0.1/archive").ok());
}

}  // namespace
}  // namespace shopstream::endpoints
