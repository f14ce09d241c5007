// What only the WebHDFS destination does, against a fake NameNode and DataNode
// (fake_webhdfs.h): the user name, where a redirect may go, its options, and how failures are
// classified. What every destination does is conformance/destination_conformance_test.cc.
#include "hdfs/webhdfs_destination.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "archive/destination.h"
#include "common/uri.h"
#include "hdfs/fake_webhdfs.h"

namespace shopstream::hdfs {
namespace {

Result<std::unique_ptr<archive::Destination>> Open(const std::string& text) {
  auto uri = ParseUri(text);
  if (!uri.ok()) return uri.status();
  return OpenWebHdfsDestination(*uri);
}

TEST(WebHdfsDestination, WritesAsTheUserOfTheUriThroughTheRedirect) {
  FakeWebHdfs hdfs;
  auto d = Open("hdfs://tester@127.0.0.1:" + std::to_string(hdfs.port()) + "/arch");
  ASSERT_TRUE(d.ok());
  ASSERT_TRUE((*d)->MakeDirs("event_date=2019-11-01").ok());
  EXPECT_EQ(hdfs.last_user, "tester");
  std::string bytes(300'000, 'p');
  ASSERT_TRUE((*d)->Write("event_date=2019-11-01/_a.tmp", bytes).ok());
  EXPECT_EQ(hdfs.files().at("/arch/event_date=2019-11-01/_a.tmp"), bytes);
}

// The file goes only where the user said it may: a NameNode (or whatever answers on its port)
// redirecting elsewhere gets nothing.
TEST(WebHdfsDestination, FollowsTheRedirectOnlyToTheNameNodesHostOrListedHosts) {
  FakeWebHdfs hdfs("127.0.0.2");
  const std::string base = "hdfs://127.0.0.1:" + std::to_string(hdfs.port()) + "/arch";
  auto d = Open(base);
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  Status s = (*d)->Write("x/_a.tmp", "bytes");
  EXPECT_EQ(s.code(), StatusCode::kIoError) << s.ToString();
  EXPECT_NE(s.message().find("127.0.0.2"), std::string::npos) << s.ToString();
  EXPECT_NE(s.message().find("datanodes="), std::string::npos) << s.ToString();
  EXPECT_TRUE(hdfs.files().empty());

  auto listed = Open(base + "?datanodes=10.0.0.9,127.0.0.2");
  ASSERT_TRUE(listed.ok()) << listed.status().ToString();
  ASSERT_TRUE((*listed)->Write("x/_a.tmp", "bytes").ok());
  EXPECT_EQ(hdfs.files().at("/arch/x/_a.tmp"), "bytes");
}

TEST(WebHdfsDestination, UnknownOptionsAreRefusedByName) {
  auto d = Open("hdfs://127.0.0.1:9870/arch?datanode=127.0.0.2");
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(d.status().message().find("'datanode'"), std::string::npos) << d.status().ToString();
  EXPECT_NE(d.status().message().find("known: datanodes"), std::string::npos)
      << d.status().ToString();
}

TEST(WebHdfsDestination, SafeModeAndSilenceAreRetryableOthersAreNot) {
  FakeWebHdfs hdfs;
  auto d = Open("hdfs://127.0.0.1:" + std::to_string(hdfs.port()) + "/arch");
  ASSERT_TRUE(d.ok());
  hdfs.safe_mode = true;
  Status s = (*d)->Write("x/_a.tmp", "bytes");
  EXPECT_TRUE(s.retryable()) << s.ToString();
  EXPECT_NE(s.message().find("SafeModeException"), std::string::npos) << s.ToString();
  hdfs.safe_mode = false;
  Status refused = (*d)->Write("x/a:b", "bytes");
  EXPECT_FALSE(refused.retryable()) << refused.ToString();
  EXPECT_EQ(refused.message().find("\tat "), std::string::npos) << "no stack trace in messages";

  // Nobody listens on this port (bound, then closed): Unavailable.
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), len), 0);
  ASSERT_EQ(getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  int port = ntohs(addr.sin_port);
  close(fd);
  auto gone = Open("hdfs://127.0.0.1:" + std::to_string(port) + "/arch");
  ASSERT_TRUE(gone.ok());
  Status down = (*gone)->MakeDirs("x");
  EXPECT_TRUE(down.retryable()) << down.ToString();
  EXPECT_NE(down.message().find("127.0.0.1:" + std::to_string(port)), std::string::npos);
}

}  // namespace
}  // namespace shopstream::hdfs
