#include "common/uri.h"

#include <gtest/gtest.h>

namespace shopstream {

TEST(UriTest, SqliteAbsoluteAndRelative) {
  auto abs = ParseUri("sqlite:///var/lib/log.db");
  ASSERT_TRUE(abs.ok());
  EXPECT_EQ(abs->scheme, "sqlite");
  EXPECT_EQ(abs->path, "/var/lib/log.db");
  auto rel = ParseUri("sqlite://data/log.db");
  ASSERT_TRUE(rel.ok());
  EXPECT_EQ(rel->path, "data/log.db");
}

TEST(UriTest, NetworkSchemes) {
  auto m = ParseUri("mysql://admin@127.0.0.1:3306/ecommerce.operations?ssl=0");
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(m->user, "admin");
  EXPECT_EQ(m->host, "127.0.0.1");
  EXPECT_EQ(m->port, 3306);
  EXPECT_EQ(m->path, "ecommerce.operations");
  EXPECT_EQ(m->Param("ssl"), "0");
  auto k = ParseUri("kafka://a:9092,b:9092/topic");
  ASSERT_TRUE(k.ok());
  EXPECT_EQ(k->host, "a:9092,b:9092");
  EXPECT_EQ(k->path, "topic");
}

TEST(UriTest, RefusesPasswordsAndGarbage) {
  EXPECT_FALSE(ParseUri("mysql://admin:secret@h:3306/db.t").ok());
  EXPECT_FALSE(ParseUri("no-scheme").ok());
  EXPECT_FALSE(ParseUri("kafka://h:99999/t").ok());
  EXPECT_FALSE(ParseUri("kafka:///t").ok());
}

}  // namespace shopstream

namespace shopstream {

TEST(UriTest, SecretOptionsAreMaskedInText) {
  auto k = ParseUri(
      "kafka://b:9092/t?rdkafka.sasl.password=hunter2&group=g&rdkafka.ssl.key.pem=PEMDATA");
  ASSERT_TRUE(k.ok());
  EXPECT_EQ(k->text, "kafka://b:9092/t?rdkafka.sasl.password=***&group=g&rdkafka.ssl.key.pem=***");
  EXPECT_EQ(k->Param("rdkafka.sasl.password"), "hunter2");  // the value itself is kept
  EXPECT_TRUE(IsSecretKey("rdkafka.SASL.Password"));
  EXPECT_TRUE(IsSecretKey("client.secret"));
  EXPECT_FALSE(IsSecretKey("group"));
  auto bad = ParseUri("kafka://b:badport/t?x.password=hunter2");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message().find("hunter2"), std::string::npos);
}

TEST(UriTest, SchemeMustBeAName) {
  EXPECT_FALSE(ParseUri("a?password=x://host/t").ok());
  EXPECT_EQ(ParseUri("a?password=x://host/t").status().message().find("=x"), std::string::npos);
}

TEST(ServerUri, LeavesOutWhatIsNotGiven) {
  EXPECT_EQ(ServerUri("mysql", "admin", "10.0.0.5", 3307, "shop"),
            "mysql://admin@10.0.0.5:3307/shop");
  EXPECT_EQ(ServerUri("postgres", "", "", 0, "db.public"), "postgres://localhost/db.public");
}

}  // namespace shopstream
