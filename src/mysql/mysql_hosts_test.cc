#include "mysql/mysql_hosts.h"

#include <gtest/gtest.h>

#include "mysql/mysql_uri.h"

namespace shopstream::mysql {
namespace {

Result<std::vector<HostPort>> Hosts(const std::string& text) {
  auto uri = ParseUri(text);
  if (!uri.ok()) return uri.status();
  return ParseMysqlHosts(*uri);
}

TEST(MysqlHosts, OneHostKeepsItsPort) {
  auto hosts = Hosts("mysql://admin@127.0.0.1:3306/ecommerce");
  ASSERT_TRUE(hosts.ok()) << hosts.status().message();
  ASSERT_EQ(hosts->size(), 1u);
  EXPECT_EQ((*hosts)[0].host, "127.0.0.1");
  EXPECT_EQ((*hosts)[0].port, 3306);
}

TEST(MysqlHosts, ListOfNodes) {
  auto hosts = Hosts("mysql://admin@127.0.0.1:13306,127.0.0.2:13306,db3/ecommerce.operations");
  ASSERT_TRUE(hosts.ok()) << hosts.status().message();
  ASSERT_EQ(hosts->size(), 3u);
  EXPECT_EQ((*hosts)[1].host, "127.0.0.2");
  EXPECT_EQ((*hosts)[1].port, 13306);
  EXPECT_EQ((*hosts)[2].host, "db3");
  EXPECT_EQ((*hosts)[2].port, 0);
}

TEST(MysqlHosts, MalformedListsAreRefusedInOneLine) {
  for (const char* text :
       {"mysql://admin@127.0.0.1:13306,,127.0.0.2:13306/ecommerce",
        "mysql://admin@127.0.0.1:13306,/ecommerce", "mysql://admin@127.0.0.1:13306,:13306/e",
        "mysql://admin@127.0.0.1:13306,127.0.0.2:x/e", "mysql://admin@a:1,b:70000/e",
        "mysql://admin@a:1,a:1/e"}) {
    auto hosts = Hosts(text);
    ASSERT_FALSE(hosts.ok()) << text;
    EXPECT_EQ(hosts.status().code(), StatusCode::kInvalidArgument) << text;
    EXPECT_NE(hosts.status().message().find("bad host list"), std::string::npos);
    EXPECT_EQ(hosts.status().message().find('\n'), std::string::npos);
  }
}

TEST(MysqlHosts, TheStoreUriTakesAList) {
  auto uri = ParseUri("mysql://admin@127.0.0.1:13306,127.0.0.2:13306/ecommerce.operations");
  ASSERT_TRUE(uri.ok());
  auto target = ParseMysqlUri(*uri);
  ASSERT_TRUE(target.ok()) << target.status().message();
  EXPECT_EQ(target->hosts.size(), 2u);
  EXPECT_EQ(target->options.host, "127.0.0.1");
  EXPECT_EQ(target->options.port, 13306);
  EXPECT_EQ(target->table, "operations");
}

}  // namespace
}  // namespace shopstream::mysql
