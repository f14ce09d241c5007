#include "serve/host_check.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>

#include <cstring>

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

// A numeric address as the kernel would hold it once bound.
sockaddr_storage Address(const char* text) {
  sockaddr_storage s{};
  if (std::strchr(text, ':')) {
    auto& v6 = reinterpret_cast<sockaddr_in6&>(s);
    v6.sin6_family = AF_INET6;
    EXPECT_EQ(inet_pton(AF_INET6, text, &v6.sin6_addr), 1) << text;
  } else {
    auto& v4 = reinterpret_cast<sockaddr_in&>(s);
    v4.sin_family = AF_INET;
    EXPECT_EQ(inet_pton(AF_INET, text, &v4.sin_addr), 1) << text;
  }
  return s;
}

TEST(HostCheckTest, BoundAddresses) {
  for (const char* mine : {"127.0.0.1", "127.1.2.3", "::1", "::ffff:127.0.0.1"}) {
    EXPECT_TRUE(IsLoopbackSocketAddress(Address(mine))) << mine;
  }
  for (const char* other :
       {"0.0.0.0", "::", "192.168.1.10", "128.0.0.1", "::ffff:10.0.0.1", "::2", "fe80::1"}) {
    EXPECT_FALSE(IsLoopbackSocketAddress(Address(other))) << other;
  }
  EXPECT_FALSE(IsLoopbackSocketAddress(sockaddr_storage{}));
}

}  // namespace
}  // namespace shopstream::serve
