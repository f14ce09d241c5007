// Byte layouts worked out by hand from native_protocol_v4.spec, sections 2 and 3.
#include "cassandra/codec.h"

#include <gtest/gtest.h>

#include "cassandra/frame.h"
#include "cassandra/test_bytes.h"

namespace shopstream::cassandra {
namespace {

TEST(CqlWriter, WritesNotationsBigEndian) {
  Writer w;
  w.write_short(0x0102);
  w.write_int(-2);
  w.write_long(0x0102030405060708);
  w.write_string("ab");
  w.write_long_string("c");
  EXPECT_EQ(w.data(), Bytes({0x01, 0x02, 0xFF, 0xFF, 0xFF, 0xFE, 1, 2, 3, 4, 5,  6,
                             7,    8,    0x00, 0x02, 'a',  'b',  0, 0, 0, 1, 'c'}));
}

TEST(CqlWriter, ValuesUseMinusOneForNullAndMinusTwoForUnset) {
  Writer w;
  w.write_value(Value::Null());
  w.write_value(Value::Unset());
  w.write_value(Value::Of("x"));
  w.write_bytes(std::nullopt);
  EXPECT_EQ(w.data(), Bytes({0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFE, 0, 0, 0, 1, 'x', 0xFF,
                             0xFF, 0xFF, 0xFF}));
}

TEST(CqlReader, ReadsWhatTheWriterWrote) {
  Writer w;
  w.write_byte(7);
  w.write_short(65535);
  w.write_int(-123456);
  w.write_long(-9000000000);
  w.write_string("héllo");
  w.write_long_string("long");
  w.write_string_list({"a", "bc"});
  w.write_bytes(std::string("\0\1", 2));
  w.write_value(Value::Unset());
  w.write_short_bytes("id");
  w.write_string_map({{"k", "v"}});
  Uuid u{};
  for (size_t i = 0; i < u.size(); ++i) u[i] = static_cast<uint8_t>(i * 17);
  w.write_uuid(u);

  Reader r(w.data());
  EXPECT_EQ(r.read_byte(), 7);
  EXPECT_EQ(r.read_short(), 65535);
  EXPECT_EQ(r.read_int(), -123456);
  EXPECT_EQ(r.read_long(), -9000000000);
  EXPECT_EQ(r.read_string(), "héllo");
  EXPECT_EQ(r.read_long_string(), "long");
  EXPECT_EQ(r.read_string_list(), (std::vector<std::string>{"a", "bc"}));
  EXPECT_EQ(r.read_bytes(), std::string("\0\1", 2));
  EXPECT_EQ(r.read_value(), Value::Unset());
  EXPECT_EQ(r.read_short_bytes(), "id");
  EXPECT_EQ(r.read_string_map(), (std::map<std::string, std::string>{{"k", "v"}}));
  EXPECT_EQ(r.read_uuid(), u);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r.remaining(), 0u);
}

TEST(CqlReader, NullBytesAndInvalidValueLength) {
  std::string null_bytes = Bytes({0xFF, 0xFF, 0xFF, 0xFF});
  Reader r(null_bytes);
  EXPECT_EQ(r.read_bytes(), std::nullopt);
  EXPECT_TRUE(r.ok());
  std::string minus_three = Bytes({0xFF, 0xFF, 0xFF, 0xFD});
  Reader bad(minus_three);
  bad.read_value();
  EXPECT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("invalid [value] length -3"), std::string::npos);
}

TEST(CqlReader, TruncationIsAnErrorNamingTheNotationAndOffset) {
  // A [string] that announces 5 bytes but carries 2.
  std::string short_string = Bytes({0x00, 0x05, 'a', 'b'});
  Reader r(short_string, "test body");
  EXPECT_EQ(r.read_string(), "");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kCorruption);
  EXPECT_EQ(r.status().message(),
            "test body: truncated [string] (needs 5 bytes, 2 left) at byte 2");
  // Later reads stay failed and return empty values.
  EXPECT_EQ(r.read_int(), 0);
  EXPECT_EQ(r.status().message(),
            "test body: truncated [string] (needs 5 bytes, 2 left) at byte 2");
}

TEST(CqlReader, InetV4AndV6) {
  std::string v6 = Bytes({16}) + std::string(15, '\0') + Bytes({1, 0, 0, 0x23, 0x52});
  std::string both = Bytes({4, 127, 0, 0, 1, 0, 0, 0x23, 0x52}) + v6;
  Reader r(both);  // the reader views its input; it must outlive the reader
  EXPECT_EQ(r.read_inet(), "127.0.0.1:9042");
  EXPECT_EQ(r.read_inet(), "[0000:0000:0000:0000:0000:0000:0000:0001]:9042");
  EXPECT_TRUE(r.ok());
}

TEST(CqlUuid, ParsesAndFormatsCanonicalText) {
  auto u = ParseUuid("550E8400-e29b-41d4-a716-446655440000");
  ASSERT_TRUE(u);
  EXPECT_EQ((*u)[0], 0x55);
  EXPECT_EQ((*u)[15], 0x00);
  EXPECT_EQ(FormatUuid(*u), "550e8400-e29b-41d4-a716-446655440000");
  EXPECT_FALSE(ParseUuid("550e8400e29b41d4a716446655440000"));
  EXPECT_FALSE(ParseUuid("550e8400-e29b-41d4-a716-44665544000g"));
  EXPECT_FALSE(ParseUuid("'); DROP TABLE operations; --"));
  EXPECT_FALSE(ParseUuid(""));
}

TEST(CqlFrame, HeaderLayoutWithBackPatchedLength) {
  // OPTIONS on stream 5 with an empty body.
  EXPECT_EQ(EncodeFrame(5, Opcode::kOptions, ""),
            Bytes({0x04, 0x00, 0x00, 0x05, 0x05, 0, 0, 0, 0}));
  // Stream ids are signed shorts; the length counts only the body.
  EXPECT_EQ(EncodeFrame(0x0102, Opcode::kQuery, "abc"),
            Bytes({0x04, 0x00, 0x01, 0x02, 0x07, 0, 0, 0, 3, 'a', 'b', 'c'}));
}

TEST(CqlFrame, DecodesAResponseHeader) {
  auto h = DecodeFrameHeader(Bytes({0x84, 0x08, 0xFF, 0xFF, 0x0C, 0, 0, 1, 0}));
  ASSERT_TRUE(h.ok()) << h.status().ToString();
  EXPECT_EQ(h->version, 0x84);
  EXPECT_EQ(h->flags, kFlagWarning);
  EXPECT_EQ(h->stream, -1);
  EXPECT_EQ(h->opcode, Opcode::kEvent);
  EXPECT_EQ(h->length, 256);
}

TEST(CqlFrame, RejectsBadHeaders) {
  EXPECT_EQ(DecodeFrameHeader(Bytes({0x84, 0, 0})).status().code(), StatusCode::kCorruption);
  // Protocol v3 is not spoken.
  EXPECT_NE(DecodeFrameHeader(Bytes({0x83, 0, 0, 0, 0x02, 0, 0, 0, 0}))
                .status()
                .message()
                .find("version 3"),
            std::string::npos);
  // 0x04 is not an opcode in v4.
  EXPECT_FALSE(DecodeFrameHeader(Bytes({0x84, 0, 0, 0, 0x04, 0, 0, 0, 0})).ok());
  // A negative length.
  EXPECT_FALSE(DecodeFrameHeader(Bytes({0x84, 0, 0, 0, 0x02, 0x80, 0, 0, 0})).ok());
}

TEST(CqlFrame, TruncatedFrameIsATypedError) {
  auto full = EncodeFrame(1, Opcode::kQuery, "0123456789");
  for (size_t cut = 0; cut < full.size(); ++cut) {
    auto f = DecodeFrame(std::string_view(full).substr(0, cut));
    ASSERT_FALSE(f.ok()) << cut;
    EXPECT_EQ(f.status().code(), StatusCode::kCorruption);
  }
  auto f = DecodeFrame(std::string_view(full).substr(0, 12));
  EXPECT_EQ(f.status().message(), "truncated QUERY frame: header says 10 body bytes, 3 present");
  auto whole = DecodeFrame(full);
  ASSERT_TRUE(whole.ok());
  EXPECT_EQ(whole->body, "0123456789");
}

TEST(CqlFrame, FrameSizeIfKnownWaitsForTheHeader) {
  auto full = EncodeFrame(1, Opcode::kQuery, "0123456789");
  EXPECT_EQ(*FrameSizeIfKnown(std::string_view(full).substr(0, 8)), 0u);
  EXPECT_EQ(*FrameSizeIfKnown(std::string_view(full).substr(0, 9)), 19u);
}

}  // namespace
}  // namespace shopstream::cassandra
