// The notations of the CQL native protocol v4 (native_protocol_v4.spec, section 3) as a
// writer that appends to a byte string and a reader over a byte span. Method names follow
// the spec: write_short/read_short for [short], read_long_string for [long string], etc.
//
// The reader never reads past its end: the first read that would, records a Corruption
// status naming the notation and the offset, and every later read returns an empty value.
// Callers parse a whole message and then check status() once.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace shopstream::cassandra {

using Uuid = std::array<uint8_t, 16>;

// A [value]: bytes, null (-1) or not set (-2).
struct Value {
  enum class Kind { kSet, kNull, kUnset };
  Kind kind = Kind::kNull;
  std::string bytes;  // only for kSet

  static Value Null() { return {}; }
  static Value Unset() { return {Kind::kUnset, {}}; }
  static Value Of(std::string b) { return {Kind::kSet, std::move(b)}; }
  bool operator==(const Value&) const = default;
};

class Writer {
 public:
  void write_byte(uint8_t v) { out_.push_back(static_cast<char>(v)); }
  void write_short(uint16_t v);
  void write_int(int32_t v);
  void write_long(int64_t v);
  // [short] length: for names and options only; past 65535 bytes the string is cut.
  void write_string(std::string_view s);
  void write_long_string(std::string_view s);  // [int] length
  void write_uuid(const Uuid& u);
  void write_string_list(const std::vector<std::string>& list);
  void write_bytes(const std::optional<std::string>& b);  // nullopt -> -1
  void write_value(const Value& v);                       // -1 null, -2 unset
  void write_short_bytes(std::string_view b);
  void write_string_map(const std::map<std::string, std::string>& m);
  void write_raw(std::string_view b) { out_.append(b); }

  // Overwrites 4 bytes at `pos` with `v`, for lengths known only after the body is written.
  void patch_int(size_t pos, int32_t v);
  size_t size() const { return out_.size(); }
  const std::string& data() const { return out_; }
  std::string take() { return std::move(out_); }

 private:
  std::string out_;
};

class Reader {
 public:
  explicit Reader(std::string_view in, std::string_view what = "frame body")
      : in_(in), what_(what) {}
  // The reader views its input: a temporary string would be gone before the first read.
  Reader(std::string&&, std::string_view = {}) = delete;

  uint8_t read_byte();
  uint16_t read_short();
  int32_t read_int();
  int64_t read_long();
  std::string read_string();
  std::string read_long_string();
  Uuid read_uuid();
  std::vector<std::string> read_string_list();
  std::optional<std::string> read_bytes();  // nullopt for any negative length
  Value read_value();                       // -1 null, -2 unset, < -2 is an error
  std::string read_short_bytes();
  std::map<std::string, std::string> read_string_map();
  std::map<std::string, std::vector<std::string>> read_string_multimap();
  std::string read_inet();  // "address:port"
  std::string_view read_raw(size_t n);

  bool ok() const { return status_.ok(); }
  const Status& status() const { return status_; }
  size_t offset() const { return pos_; }
  size_t remaining() const { return in_.size() - pos_; }
  // Records a failure found by the caller (a bad enum value, say) at the current offset.
  void Fail(const std::string& why);

 private:
  bool Need(size_t n, const char* notation);
  std::string_view in_;
  std::string_view what_;
  size_t pos_ = 0;
  Status status_;
};

// "550e8400-e29b-41d4-a716-446655440000" <-> 16 bytes. Accepts upper or lower case hex.
std::optional<Uuid> ParseUuid(std::string_view text);
std::string FormatUuid(const Uuid& u);

}  // namespace shopstream::cassandra
