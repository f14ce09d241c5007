#include "cassandra/cassandra_options.h"

#include <gtest/gtest.h>

#include "cassandra/cassandra_raw_store.h"

namespace shopstream::cassandra {
namespace {

CassandraOptions Parse(const std::string& text) {
  auto uri = ParseUri(text);
  EXPECT_TRUE(uri.ok()) << uri.status().ToString();
  auto o = ParseCassandraUri(*uri);
  EXPECT_TRUE(o.ok()) << o.status().ToString();
  return o.ok() ? *o : CassandraOptions{};
}

Status ParseError(const std::string& text) {
  auto uri = ParseUri(text);
  if (!uri.ok()) return uri.status();
  return ParseCassandraUri(*uri).status();
}

TEST(CassandraUri, DefaultsToTheSeedsTable) {
  auto o = Parse("cassandra://127.0.0.1:9042");
  ASSERT_EQ(o.session.contact_points.size(), 1u);
  EXPECT_EQ(o.session.contact_points[0].host, "127.0.0.1");
  EXPECT_EQ(o.session.contact_points[0].port, 9042);
  EXPECT_EQ(o.keyspace, "ecommerce_ks");
  EXPECT_EQ(o.table, "operations");
  EXPECT_EQ(o.consistency, cassandra::Consistency::kLocalQuorum);
  EXPECT_EQ(o.in_flight, 256u);
}

TEST(CassandraUri, SeveralContactPointsAndParameters) {
  auto o = Parse(
      "cassandra://10.0.0.1:9042,10.0.0.2,10.0.0.3:9142/ks1.events?consistency=one&in_flight=64");
  ASSERT_EQ(o.session.contact_points.size(), 3u);
  EXPECT_EQ(o.session.contact_points[1].port, 9042);
  EXPECT_EQ(o.session.contact_points[2].port, 9142);
  EXPECT_EQ(o.keyspace, "ks1");
  EXPECT_EQ(o.table, "events");
  EXPECT_EQ(o.consistency, cassandra::Consistency::kOne);
  EXPECT_EQ(o.in_flight, 64u);
}

TEST(CassandraUri, RefusesNamesThatWouldNeedQuoting) {
  EXPECT_EQ(ParseError("cassandra://h:9042/ks.ops;DROP").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseError("cassandra://h:9042/1ks.ops").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseError("cassandra://h:9042/ks.op\"s").code(), StatusCode::kInvalidArgument);
}

TEST(CassandraUri, RefusesUnknownOrBadParameters) {
  EXPECT_NE(
      ParseError("cassandra://h:9042/ks.t?consistensy=ONE").message().find("unknown parameter"),
      std::string::npos);
  EXPECT_NE(ParseError("cassandra://h:9042/ks.t?consistency=MOST").message().find("MOST"),
            std::string::npos);
  EXPECT_FALSE(ParseError("cassandra://h:9042/ks.t?in_flight=0").ok());
  EXPECT_FALSE(ParseError("mysql://h:3306/db.t").ok());
}

TEST(CassandraRawStore, OpenDoesNotConnect) {
  // Nothing listens on port 1; opening only checks the URI.
  auto uri = ParseUri("cassandra://127.0.0.1:1/ks.t");
  ASSERT_TRUE(uri.ok());
  auto store = OpenCassandraRawStore(*uri);
  ASSERT_TRUE(store.ok());
  Event e;
  e.id = "not-a-uuid";
  Status s = (*store)->Write({e});
  EXPECT_EQ(s.code(), StatusCode::kRefusedValue);
  EXPECT_NE(s.message().find("'not-a-uuid'"), std::string::npos);
  e.id = "550e8400-e29b-41d4-a716-446655440000";
  s = (*store)->Write({e});
  EXPECT_EQ(s.code(), StatusCode::kUnavailable) << s.ToString();
}

}  // namespace
}  // namespace shopstream::cassandra
