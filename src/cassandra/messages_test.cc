// Message bodies worked out by hand from native_protocol_v4.spec, section 4.
#include "cassandra/messages.h"

#include <gtest/gtest.h>

#include "cassandra/test_bytes.h"

namespace shopstream::cassandra {
namespace {

TEST(CqlMessages, StartupFrame) {
  // [string map] of one pair: n=1, "CQL_VERSION" (11 bytes), "3.0.0" (5 bytes): 22 bytes.
  std::string expected =
      Bytes({0x04, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x16, 0x00, 0x01, 0x00, 0x0B}) +
      "CQL_VERSION" + Bytes({0x00, 0x05}) + "3.0.0";
  EXPECT_EQ(EncodeFrame(0, Opcode::kStartup, EncodeStartup()), expected);
}

TEST(CqlMessages, PlainAuthResponse) {
  // [bytes] of "\0cassandra\0secret": 1 + 9 + 1 + 6 = 17 bytes.
  EXPECT_EQ(EncodePlainAuthResponse("cassandra", "secret"),
            Bytes({0, 0, 0, 17, 0}) + "cassandra" + Bytes({0}) + "secret");
}

TEST(CqlMessages, QueryWithValuesPagingAndConsistency) {
  QueryParameters p;
  p.consistency = Consistency::kLocalQuorum;
  p.values = {IntValue(42), Value::Null()};
  p.page_size = 100;
  std::string expected =
      Bytes({0, 0, 0, 8}) + "SELECT ?" + Bytes({0x00, 0x06,  // LOCAL_QUORUM
                                                0x05,        // values | page size
                                                0x00, 0x02,  // two values
                                                0,    0,    0,    4,    0, 0, 0, 42,  // int 42
                                                0xFF, 0xFF, 0xFF, 0xFF,               // null
                                                0,    0,    0,    100});              // page size
  EXPECT_EQ(EncodeQuery("SELECT ?", p), expected);
}

TEST(CqlMessages, ExecuteCarriesTheIdAsShortBytes) {
  QueryParameters p;
  p.consistency = Consistency::kOne;
  p.values = {TextValue("x")};
  EXPECT_EQ(EncodeExecute("ID", p),
            Bytes({0x00, 0x02, 'I', 'D', 0x00, 0x01, 0x01, 0x00, 0x01, 0, 0, 0, 1, 'x'}));
}

// A Rows result of `SELECT id, name FROM ks.t` with two rows: (42, 'abc') and (-1, null).
std::string RowsBody() {
  return Bytes({0,   0, 0,   2,                           // kind Rows
                0,   0, 0,   1,                           // flags: Global_tables_spec
                0,   0, 0,   2,                           // two columns
                0,   2, 'k', 's', 0,   1,    't',         // keyspace "ks", table "t"
                0,   2, 'i', 'd', 0,   0x09,              // id int
                0,   4, 'n', 'a', 'm', 'e',  0,    0x0D,  // name varchar
                0,   0, 0,   2,                           // two rows
                0,   0, 0,   4,   0,   0,    0,    42,   0,    0,    0,    3,    'a', 'b',
                'c', 0, 0,   0,   4,   0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF});
}

TEST(CqlMessages, RowsResult) {
  auto r = DecodeResult(RowsBody());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->kind, ResultKind::kRows);
  ASSERT_EQ(r->metadata.columns.size(), 2u);
  EXPECT_EQ(r->metadata.columns[0].keyspace, "ks");
  EXPECT_EQ(r->metadata.columns[1].table, "t");
  EXPECT_EQ(r->metadata.columns[0].name, "id");
  EXPECT_EQ(r->metadata.columns[0].type.id, TypeId::kInt);
  EXPECT_EQ(r->metadata.columns[1].type.Name(), "text");
  ASSERT_EQ(r->rows.size(), 2u);
  EXPECT_EQ(FormatValue(r->metadata.columns[0].type, *r->rows[0][0]), "42");
  EXPECT_EQ(FormatValue(r->metadata.columns[1].type, *r->rows[0][1]), "abc");
  EXPECT_EQ(FormatValue(r->metadata.columns[0].type, *r->rows[1][0]), "-1");
  EXPECT_EQ(r->rows[1][1], std::nullopt);
  EXPECT_FALSE(r->metadata.paging_state);
}

TEST(CqlMessages, EveryTruncationOfARowsResultIsAnError) {
  std::string body = RowsBody();
  for (size_t cut = 0; cut < body.size(); ++cut) {
    auto r = DecodeResult(std::string_view(body).substr(0, cut));
    ASSERT_FALSE(r.ok()) << cut;
    EXPECT_EQ(r.status().code(), StatusCode::kCorruption);
  }
}

TEST(CqlMessages, RowsWithPagingStateAndPerColumnTableSpecs) {
  std::string body = Bytes({0, 0, 0,   2, 0,   0,   0, 2,  // Has_more_pages, no global spec
                            0, 0, 0,   1,                  // one column
                            0, 0, 0,   2, 'p', 's',        // paging state
                            0, 1, 'k', 0, 1,   't', 0, 1, 'c', 0, 0x20, 0, 0x0D,  // list<text>
                            0, 0, 0,   0});                                       // no rows
  auto r = DecodeResult(body);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->metadata.paging_state, "ps");
  EXPECT_EQ(r->metadata.columns[0].type.Name(), "list<text>");
  EXPECT_TRUE(r->rows.empty());
}

TEST(CqlMessages, PreparedResult) {
  std::string body =
      Bytes({0, 0, 0,    4,                      // Prepared
             0, 2, 0xAB, 0xCD,                   // id
             0, 0, 0,    1,                      // flags: global table spec
             0, 0, 0,    1,                      // one bind marker
             0, 0, 0,    1,    0, 0,             // pk_count 1, index 0
             0, 1, 'k',  0,    1, 't',           // ks, table
             0, 2, 'i',  'd',  0, 0x0C,          // id uuid
             0, 0, 0,    4,    0, 0,    0, 0});  // result metadata: No_metadata, 0 columns
  auto r = DecodeResult(body);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->prepared.id, Bytes({0xAB, 0xCD}));
  ASSERT_EQ(r->prepared.bind_columns.size(), 1u);
  EXPECT_EQ(r->prepared.bind_columns[0].name, "id");
  EXPECT_EQ(r->prepared.bind_columns[0].type.id, TypeId::kUuid);
  EXPECT_EQ(r->prepared.pk_indexes, std::vector<uint16_t>{0});
}

TEST(CqlMessages, SetKeyspaceAndSchemaChange) {
  auto ks = DecodeResult(Bytes({0, 0, 0, 3, 0, 2, 'k', 's'}));
  ASSERT_TRUE(ks.ok());
  EXPECT_EQ(ks->keyspace, "ks");
  auto sc = DecodeResult(Bytes({0, 0, 0, 5, 0, 7}) + "CREATED" + Bytes({0, 5}) + "TABLE" +
                         Bytes({0, 2, 'k', 's', 0, 1, 't'}));
  ASSERT_TRUE(sc.ok()) << sc.status().ToString();
  EXPECT_EQ(sc->schema_change.change_type, "CREATED");
  EXPECT_EQ(sc->schema_change.target, "TABLE");
  EXPECT_EQ(sc->schema_change.name, "t");
}

TEST(CqlMessages, InvalidErrorBecomesInvalidArgumentWithTheServersText) {
  auto e = DecodeError(Bytes({0, 0, 0x22, 0x00, 0, 13}) + "no such table");
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  EXPECT_EQ(e->code, ErrorCode::kInvalid);
  Status s = e->ToStatus("127.0.0.1:9042");
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "127.0.0.1:9042: invalid query: no such table");
  EXPECT_FALSE(s.retryable());
}

TEST(CqlMessages, UnavailableErrorIsRetryable) {
  auto e = DecodeError(
      Bytes({0, 0, 0x10, 0x00, 0, 4, 'd', 'o', 'w', 'n', 0, 6, 0, 0, 0, 2, 0, 0, 0, 1}));
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  Status s = e->ToStatus("node");
  EXPECT_TRUE(s.retryable());
  EXPECT_EQ(s.message(),
            "node: unavailable: down (consistency LOCAL_QUORUM needs 2 replicas, 1 alive)");
}

TEST(CqlMessages, WriteTimeoutAndOverloadedAreRetryableSyntaxIsNot) {
  auto wt = DecodeError(Bytes({0, 0, 0x11, 0x00, 0, 1, 't', 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 6}) +
                        "SIMPLE");
  ASSERT_TRUE(wt.ok()) << wt.status().ToString();
  EXPECT_EQ(wt->write_type, "SIMPLE");
  EXPECT_TRUE(wt->ToStatus("n").retryable());
  auto ov = DecodeError(Bytes({0, 0, 0x10, 0x01, 0, 1, 'o'}));
  EXPECT_TRUE(ov->ToStatus("n").retryable());
  auto syntax = DecodeError(Bytes({0, 0, 0x20, 0x00, 0, 3, 'b', 'a', 'd'}));
  EXPECT_EQ(syntax->ToStatus("n").code(), StatusCode::kInvalidArgument);
  auto unauthorized = DecodeError(Bytes({0, 0, 0x21, 0x00, 0, 2, 'n', 'o'}));
  EXPECT_EQ(unauthorized->ToStatus("n").code(), StatusCode::kInvalidArgument);
}

TEST(CqlMessages, UnpreparedCarriesTheId) {
  auto e = DecodeError(Bytes({0, 0, 0x25, 0x00, 0, 1, 'u', 0, 2, 0xAB, 0xCD}));
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->code, ErrorCode::kUnprepared);
  EXPECT_EQ(e->unprepared_id, Bytes({0xAB, 0xCD}));
}

TEST(CqlMessages, TruncatedErrorBodyIsAnError) {
  auto e = DecodeError(Bytes({0, 0, 0x10, 0x00, 0, 4, 'd', 'o', 'w', 'n', 0, 6, 0, 0}));
  EXPECT_EQ(e.status().code(), StatusCode::kCorruption);
}

TEST(CqlMessages, ResponsePrefixTracingThenWarnings) {
  std::string body = std::string(16, '\x11') + Bytes({0, 1, 0, 4}) + "warn" + "REST";
  ResponseExtras extras;
  auto rest = StripResponseExtras(kFlagTracing | kFlagWarning, body, &extras);
  ASSERT_TRUE(rest.ok());
  EXPECT_EQ(*rest, "REST");
  EXPECT_TRUE(extras.tracing_id);
  EXPECT_EQ(extras.warnings, std::vector<std::string>{"warn"});
}

TEST(CqlTypes, FormatsCommonTypes) {
  ColumnType t;
  t.id = TypeId::kFloat;
  EXPECT_EQ(FormatValue(t, FloatValue(165.51f).bytes), "165.51");
  t.id = TypeId::kDouble;
  EXPECT_EQ(FormatValue(t, DoubleValue(0.5).bytes), "0.5");
  t.id = TypeId::kBigint;
  EXPECT_EQ(FormatValue(t, BigintValue(-5).bytes), "-5");
  t.id = TypeId::kBoolean;
  EXPECT_EQ(FormatValue(t, BooleanValue(true).bytes), "true");
  t.id = TypeId::kTimestamp;
  EXPECT_EQ(FormatValue(t, BigintValue(1573200893123).bytes), "2019-11-08 08:14:53.123Z");
  t.id = TypeId::kBlob;
  EXPECT_EQ(FormatValue(t, Bytes({0xCA, 0xFE})), "0xcafe");
  t.id = TypeId::kInt;  // wrong size for the type: shown as hex, not misread
  EXPECT_EQ(FormatValue(t, Bytes({1, 2})), "0x0102");
}

TEST(CqlTypes, ParsesConsistencyNames) {
  EXPECT_EQ(*ParseConsistency("local_quorum"), Consistency::kLocalQuorum);
  EXPECT_EQ(*ParseConsistency("ONE"), Consistency::kOne);
  EXPECT_FALSE(ParseConsistency("MOST").ok());
}

}  // namespace
}  // namespace shopstream::cassandra
