#include "serve/host_check.h"

#include <gtest/gtest.h>

namespace shopstream::serve {
namespace {

TEST(HostCheckTest, LoopbackNamesWithOrWithoutAPort) {
  for (const char* ok :
       {"127.0.0.1", "127.0.0.1:8088", "127.255.3.4:1", "localhost", "LocalHost:8088", "[::1]",
        "[::1]:8088", "[0:0:0:0:0:0:0:1]:80", "127.0.0.0:65535"}) {
    EXPECT_TRUE(IsLoopbackHostHeader(ok)) << ok;
  }
}

TEST(HostCheckTest, EverythingElseIsAnotherMachine) {
  for (const char* bad : {"",
                          "127.evil.example",
                          "127.evil.example:8088",
                          "127.0.0.1.evil.example",
                          "127.0.0",
                          "127.0.0.1.5",
                          "127.0.0.256",
                          "127.0.0.01",
                          "0127.0.0.1",
                          "127.0.0.1:",
                          "127.0.0.1:x",
                          "127.0.0.1:70000",
                          "127.0.0.1:80:80",
                          "128.0.0.1",
                          "10.0.0.1",
                          "localhost.",
                          "localhost.evil.example",
                          "evil-localhost",
                          "localhost:8088@evil",
                          "[::1",
                          "[::1]x",
                          "[::2]:80",
                          "[::ffff:127.0.0.1]",
                          "::1",
                          "[127.0.0.1]",
                          " 127.0.0.1",
                          "127.0.0.1 "}) {
    EXPECT_FALSE(IsLoopbackHostHeader(bad)) << bad;
  }
}

TEST(HostCheckTest, BindAddresses) {
  EXPECT_TRUE(IsLoopbackAddress("127.0.0.1"));
  EXPECT_TRUE(IsLoopbackAddress("127.1.2.3"));
  EXPECT_TRUE(IsLoopbackAddress("::1"));
  EXPECT_TRUE(IsLoopbackAddress("[::1]"));
  EXPECT_TRUE(IsLoopbackAddress("localhost"));
  EXPECT_FALSE(IsLoopbackAddress("0.0.0.0"));
  EXPECT_FALSE(IsLoopbackAddress("::"));
  EXPECT_FALSE(IsLoopbackAddress("127.evil.example"));
  EXPECT_FALSE(IsLoopbackAddress("192.168.1.10"));
}

}  // namespace
}  // namespace shopstream::serve
