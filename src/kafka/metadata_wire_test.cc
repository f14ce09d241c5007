// The Metadata v12 codec on bytes captured from the stack's Kafka 4 broker, and on every way
// those bytes can be cut or bent: a value or Corruption, never a read past the end.
#include "kafka/metadata_wire.h"

#include <gtest/gtest.h>

#include <string>

#include "kafka/metadata_captures.h"

namespace shopstream::kafka {
namespace {

TEST(MetadataWire, EncodesAVersion12RequestForOneTopic) {
  const std::string request = EncodeMetadataRequest(7, "cid", "t1");
  const std::string expected = CapturedBytes(
      "00000026"                          // size: 38
      "0003000c"                          // Metadata, version 12
      "00000007"                          // correlation id
      "0003636964"                        // client id "cid"
      "00"                                // header tags
      "02"                                // one topic
      "00000000000000000000000000000000"  // no id: by name
      "03"
      "7431"  // "t1"
      "00"
      "00"
      "00"    // topic tags, no auto-creation, no authorized operations
      "00");  // tags
  EXPECT_EQ(request, expected);
}

TEST(MetadataWire, DecodesTheBrokersAnswer) {
  auto topics = DecodeMetadataResponse(kCapturedTwoPartitions, 1);
  ASSERT_TRUE(topics.ok()) << topics.status().ToString();
  ASSERT_EQ(topics->size(), 1u);
  const MetadataTopic& t = topics->front();
  EXPECT_EQ(t.error_code, 0);
  EXPECT_EQ(t.name, "shopstream-topicid-capture");
  EXPECT_EQ(t.partitions, 2);
  EXPECT_FALSE(IsZeroTopicId(t.id));
  EXPECT_EQ(FormatTopicId(t.id), "Yr79TC7eRIW2Jeqm5PXf3A");  // as kafka-topics.sh shows it

  auto unknown = DecodeMetadataResponse(kCapturedUnknown, 1);
  ASSERT_TRUE(unknown.ok()) << unknown.status().ToString();
  ASSERT_EQ(unknown->size(), 1u);
  EXPECT_EQ(unknown->front().error_code, 3);
  EXPECT_TRUE(IsZeroTopicId(unknown->front().id));
  EXPECT_EQ(unknown->front().partitions, 0);
}

TEST(MetadataWire, RefusesAnotherRequestsAnswer) {
  auto topics = DecodeMetadataResponse(kCapturedTwoPartitions, 2);
  EXPECT_EQ(topics.status().code(), StatusCode::kCorruption);
}

TEST(MetadataWire, EveryCutAndEveryExtraByteIsCorruption) {
  for (size_t size = 0; size < kCapturedTwoPartitions.size(); ++size) {
    auto cut = DecodeMetadataResponse(std::string_view(kCapturedTwoPartitions).substr(0, size), 1);
    EXPECT_EQ(cut.status().code(), StatusCode::kCorruption) << "cut at " << size;
  }
  auto longer = DecodeMetadataResponse(kCapturedTwoPartitions + '\0', 1);
  EXPECT_EQ(longer.status().code(), StatusCode::kCorruption);
}

TEST(MetadataWire, EveryByteBentDecodesOrIsRefused) {
  // Each byte set to values that make lengths huge, null or varints endless.
  for (size_t i = 0; i < kCapturedTwoPartitions.size(); ++i) {
    for (int value : {0x00, 0x01, 0x7F, 0x80, 0xFF}) {
      std::string bent = kCapturedTwoPartitions;
      bent[i] = static_cast<char>(value);
      auto topics = DecodeMetadataResponse(bent, 1);
      if (topics.ok()) {
        for (const MetadataTopic& t : *topics) EXPECT_LE(t.name.size(), bent.size());
      } else {
        EXPECT_EQ(topics.status().code(), StatusCode::kCorruption);
      }
    }
  }
}

TEST(MetadataWire, AHugeArrayCountIsRefusedBeforeAnyAllocation) {
  // Topics: a count of 2^32 - 2 in a five-byte varint, with nothing after it.
  std::string bytes = CapturedBytes(
      "00000001"
      "00"
      "00000000"
      "01"
      "00"
      "ffffffff");
  bytes += CapturedBytes("feffffff0f");
  auto topics = DecodeMetadataResponse(bytes, 1);
  EXPECT_EQ(topics.status().code(), StatusCode::kCorruption);
  // A sixth varint byte.
  auto endless = DecodeMetadataResponse(CapturedBytes("00000001"
                                                      "ffffffffff01"),
                                        1);
  EXPECT_EQ(endless.status().code(), StatusCode::kCorruption);
}

TEST(MetadataWire, FormatsIdsAsKafkaDoes) {
  TopicId zero{};
  EXPECT_EQ(FormatTopicId(zero), "AAAAAAAAAAAAAAAAAAAAAA");
  TopicId ones;
  ones.fill(0xFF);
  EXPECT_EQ(FormatTopicId(ones), "_____________________w");
}

}  // namespace
}  // namespace shopstream::kafka
