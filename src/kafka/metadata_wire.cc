#include "kafka/metadata_wire.h"

namespace shopstream::kafka {
namespace {

constexpr int16_t kMetadataKey = 3;
constexpr int16_t kMetadataVersion = 12;

void PutInt(std::string* out, uint64_t value, int bytes) {
  for (int i = bytes - 1; i >= 0; --i) out->push_back(static_cast<char>((value >> (8 * i)) & 0xFF));
}

void PutUnsignedVarint(std::string* out, uint32_t value) {
  while (value >= 0x80) {
    out->push_back(static_cast<char>((value & 0x7F) | 0x80));
    value >>= 7;
  }
  out->push_back(static_cast<char>(value));
}

// Reads big-endian integers and the flexible versions' varints, compact strings and arrays
// from a view, never past its end: the first failure sticks, later reads return zeros.
class Reader {
 public:
  explicit Reader(std::string_view bytes) : bytes_(bytes) {}

  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }
  size_t left() const { return bytes_.size(); }

  uint64_t Int(int size, const char* what) {
    if (!Need(static_cast<size_t>(size), what)) return 0;
    uint64_t value = 0;
    for (int i = 0; i < size; ++i) value = (value << 8) | static_cast<uint8_t>(bytes_[i]);
    bytes_.remove_prefix(static_cast<size_t>(size));
    return value;
  }
  int16_t Int16(const char* what) { return static_cast<int16_t>(Int(2, what)); }
  int32_t Int32(const char* what) { return static_cast<int32_t>(Int(4, what)); }

  uint32_t UnsignedVarint(const char* what) {
    uint32_t value = 0;
    for (int shift = 0; shift <= 28; shift += 7) {
      if (!Need(1, what)) return 0;
      const auto byte = static_cast<uint8_t>(bytes_[0]);
      bytes_.remove_prefix(1);
      if (shift == 28 && byte > 0x0F) return Fail(what, "a varint beyond 32 bits");
      value |= static_cast<uint32_t>(byte & 0x7F) << shift;
      if (!(byte & 0x80)) return value;
    }
    return Fail(what, "a varint longer than 5 bytes");
  }

  // A compact array's element count; -1 for null. Each element takes at least `min_bytes`,
  // so a count the bytes left cannot hold is refused before anything is allocated.
  int64_t ArrayCount(size_t min_bytes, const char* what) {
    const uint32_t n = UnsignedVarint(what);
    if (!ok()) return 0;
    if (n == 0) return -1;
    const uint64_t count = n - 1;
    if (count * min_bytes > bytes_.size()) return Fail(what, "more elements than bytes left");
    return static_cast<int64_t>(count);
  }

  // A compact string (null reads as empty).
  std::string_view String(const char* what) {
    const uint32_t n = UnsignedVarint(what);
    if (!ok() || n == 0) return {};
    if (!Need(n - 1, what)) return {};
    std::string_view text = bytes_.substr(0, n - 1);
    bytes_.remove_prefix(n - 1);
    return text;
  }

  void Skip(size_t size, const char* what) {
    if (Need(size, what)) bytes_.remove_prefix(size);
  }

  void TaggedFields(const char* what) {
    const uint32_t count = UnsignedVarint(what);
    for (uint32_t i = 0; i < count && ok(); ++i) {
      UnsignedVarint(what);  // the tag: none is known to this reader
      const uint32_t size = UnsignedVarint(what);
      Skip(size, what);
    }
  }

  // A compact array of int32 (replica lists), skipped.
  void SkipInt32Array(const char* what) {
    const int64_t count = ArrayCount(4, what);
    if (count > 0) Skip(static_cast<size_t>(count) * 4, what);
  }

 private:
  bool Need(size_t size, const char* what) {
    if (!ok()) return false;
    if (bytes_.size() >= size) return true;
    Fail(what, "cut short");
    return false;
  }
  uint32_t Fail(const char* what, const char* why) {
    if (ok()) error_ = std::string(what) + ": " + why;
    bytes_ = {};
    return 0;
  }

  std::string_view bytes_;
  std::string error_;
};

// Each broker: node id, host, port, rack, tags: 4 + 1 + 4 + 1 + 1 bytes at least.
void SkipBrokers(Reader& r) {
  const int64_t brokers = r.ArrayCount(11, "brokers");
  for (int64_t i = 0; i < brokers && r.ok(); ++i) {
    r.Int32("broker id");
    r.String("broker host");
    r.Int32("broker port");
    r.String("broker rack");
    r.TaggedFields("broker");
  }
}

MetadataTopic ReadTopic(Reader& r) {
  MetadataTopic topic;
  topic.error_code = r.Int16("topic error");
  topic.name = std::string(r.String("topic name"));
  for (uint8_t& byte : topic.id) byte = static_cast<uint8_t>(r.Int(1, "topic id"));
  r.Int(1, "is_internal");
  // Each partition: error, index, leader, epoch, three arrays, tags: 2+4+4+4+1+1+1+1 bytes.
  const int64_t partitions = r.ArrayCount(18, "partitions");
  for (int64_t i = 0; i < partitions && r.ok(); ++i) {
    r.Int16("partition error");
    r.Int32("partition index");
    r.Int32("leader id");
    r.Int32("leader epoch");
    r.SkipInt32Array("replicas");
    r.SkipInt32Array("in-sync replicas");
    r.SkipInt32Array("offline replicas");
    r.TaggedFields("partition");
  }
  topic.partitions = static_cast<int32_t>(partitions < 0 ? 0 : partitions);
  r.Int32("topic authorized operations");
  r.TaggedFields("topic");
  return topic;
}

}  // namespace

std::string FormatTopicId(const TopicId& id) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  uint32_t bits = 0;
  int held = 0;
  for (uint8_t byte : id) {
    bits = (bits << 8) | byte;
    held += 8;
    while (held >= 6) {
      held -= 6;
      out.push_back(kAlphabet[(bits >> held) & 0x3F]);
    }
  }
  if (held > 0) out.push_back(kAlphabet[(bits << (6 - held)) & 0x3F]);
  return out;
}

bool IsZeroTopicId(const TopicId& id) {
  for (uint8_t byte : id) {
    if (byte != 0) return false;
  }
  return true;
}

std::string EncodeMetadataRequest(int32_t correlation_id, std::string_view client_id,
                                  std::string_view topic) {
  std::string body;
  PutInt(&body, static_cast<uint16_t>(kMetadataKey), 2);
  PutInt(&body, static_cast<uint16_t>(kMetadataVersion), 2);
  PutInt(&body, static_cast<uint32_t>(correlation_id), 4);
  // The header's client id is a plain nullable string (int16 length) even in flexible versions.
  PutInt(&body, static_cast<uint16_t>(client_id.size()), 2);
  body.append(client_id);
  body.push_back(0);            // header tags
  PutUnsignedVarint(&body, 2);  // topics: one
  body.append(16, '\0');        // topic id: none, ask by name
  PutUnsignedVarint(&body, static_cast<uint32_t>(topic.size() + 1));
  body.append(topic);
  body.push_back(0);  // topic tags
  body.push_back(0);  // allow_auto_topic_creation: false
  body.push_back(0);  // include_topic_authorized_operations: false
  body.push_back(0);  // request tags
  std::string out;
  PutInt(&out, static_cast<uint32_t>(body.size()), 4);
  return out.append(body);
}

Result<std::vector<MetadataTopic>> DecodeMetadataResponse(std::string_view bytes,
                                                          int32_t correlation_id) {
  Reader r(bytes);
  const int32_t correlation = r.Int32("correlation id");
  r.TaggedFields("response header");
  r.Int32("throttle time");
  SkipBrokers(r);
  r.String("cluster id");
  r.Int32("controller id");
  std::vector<MetadataTopic> topics;
  // Each topic: error, name, id, is_internal, partitions, operations, tags: 2+1+16+1+1+4+1.
  const int64_t count = r.ArrayCount(26, "topics");
  for (int64_t i = 0; i < count && r.ok(); ++i) topics.push_back(ReadTopic(r));
  r.TaggedFields("response");
  if (!r.ok()) return Status::Corruption("a Kafka metadata response: " + r.error());
  if (r.left() != 0) {
    return Status::Corruption("a Kafka metadata response: " + std::to_string(r.left()) +
                              " bytes after its end");
  }
  if (correlation != correlation_id) {
    return Status::Corruption("a Kafka metadata response to request " +
                              std::to_string(correlation) + ", not " +
                              std::to_string(correlation_id));
  }
  return topics;
}

}  // namespace shopstream::kafka
