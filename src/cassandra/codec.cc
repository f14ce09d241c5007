#include "cassandra/codec.h"

#include <cstring>

namespace shopstream::cassandra {

void Writer::write_short(uint16_t v) {
  write_byte(static_cast<uint8_t>(v >> 8));
  write_byte(static_cast<uint8_t>(v));
}

void Writer::write_int(int32_t v) {
  auto u = static_cast<uint32_t>(v);
  for (int shift = 24; shift >= 0; shift -= 8) write_byte(static_cast<uint8_t>(u >> shift));
}

void Writer::write_long(int64_t v) {
  auto u = static_cast<uint64_t>(v);
  for (int shift = 56; shift >= 0; shift -= 8) write_byte(static_cast<uint8_t>(u >> shift));
}

void Writer::write_string(std::string_view s) {
  if (s.size() > 0xFFFF) s = s.substr(0, 0xFFFF);
  write_short(static_cast<uint16_t>(s.size()));
  out_.append(s);
}

void Writer::write_long_string(std::string_view s) {
  write_int(static_cast<int32_t>(s.size()));
  out_.append(s);
}

void Writer::write_uuid(const Uuid& u) {
  out_.append(reinterpret_cast<const char*>(u.data()), u.size());
}

void Writer::write_string_list(const std::vector<std::string>& list) {
  write_short(static_cast<uint16_t>(list.size()));
  for (const auto& s : list) write_string(s);
}

void Writer::write_bytes(const std::optional<std::string>& b) {
  if (!b) {
    write_int(-1);
    return;
  }
  write_int(static_cast<int32_t>(b->size()));
  out_.append(*b);
}

void Writer::write_value(const Value& v) {
  switch (v.kind) {
    case Value::Kind::kNull:
      write_int(-1);
      break;
    case Value::Kind::kUnset:
      write_int(-2);
      break;
    case Value::Kind::kSet:
      write_int(static_cast<int32_t>(v.bytes.size()));
      out_.append(v.bytes);
      break;
  }
}

void Writer::write_short_bytes(std::string_view b) {
  write_short(static_cast<uint16_t>(b.size()));
  out_.append(b);
}

void Writer::write_string_map(const std::map<std::string, std::string>& m) {
  write_short(static_cast<uint16_t>(m.size()));
  for (const auto& [k, v] : m) {
    write_string(k);
    write_string(v);
  }
}

void Writer::patch_int(size_t pos, int32_t v) {
  auto u = static_cast<uint32_t>(v);
  for (int i = 0; i < 4; ++i) out_[pos + i] = static_cast<char>(u >> (24 - 8 * i));
}

void Reader::Fail(const std::string& why) {
  if (status_.ok()) {
    status_ =
        Status::Corruption(std::string(what_) + ": " + why + " at byte " + std::to_string(pos_));
  }
}

bool Reader::Need(size_t n, const char* notation) {
  if (!status_.ok()) return false;
  if (remaining() >= n) return true;
  Fail("truncated " + std::string(notation) + " (needs " + std::to_string(n) + " bytes, " +
       std::to_string(remaining()) + " left)");
  return false;
}

uint8_t Reader::read_byte() {
  if (!Need(1, "[byte]")) return 0;
  return static_cast<uint8_t>(in_[pos_++]);
}

uint16_t Reader::read_short() {
  if (!Need(2, "[short]")) return 0;
  uint16_t v = static_cast<uint16_t>((static_cast<uint8_t>(in_[pos_]) << 8) |
                                     static_cast<uint8_t>(in_[pos_ + 1]));
  pos_ += 2;
  return v;
}

int32_t Reader::read_int() {
  if (!Need(4, "[int]")) return 0;
  uint32_t u = 0;
  for (int i = 0; i < 4; ++i) u = (u << 8) | static_cast<uint8_t>(in_[pos_ + i]);
  pos_ += 4;
  return static_cast<int32_t>(u);
}

int64_t Reader::read_long() {
  if (!Need(8, "[long]")) return 0;
  uint64_t u = 0;
  for (int i = 0; i < 8; ++i) u = (u << 8) | static_cast<uint8_t>(in_[pos_ + i]);
  pos_ += 8;
  return static_cast<int64_t>(u);
}

std::string_view Reader::read_raw(size_t n) {
  if (!Need(n, "byte run")) return {};
  std::string_view v = in_.substr(pos_, n);
  pos_ += n;
  return v;
}

std::string Reader::read_string() {
  uint16_t n = read_short();
  if (!Need(n, "[string]")) return {};
  return std::string(read_raw(n));
}

std::string Reader::read_long_string() {
  int32_t n = read_int();
  if (!ok()) return {};
  if (n < 0) {
    Fail("negative [long string] length " + std::to_string(n));
    return {};
  }
  if (!Need(static_cast<size_t>(n), "[long string]")) return {};
  return std::string(read_raw(static_cast<size_t>(n)));
}

Uuid Reader::read_uuid() {
  Uuid u{};
  if (!Need(16, "[uuid]")) return u;
  std::memcpy(u.data(), in_.data() + pos_, 16);
  pos_ += 16;
  return u;
}

std::vector<std::string> Reader::read_string_list() {
  uint16_t n = read_short();
  std::vector<std::string> list;
  for (uint16_t i = 0; i < n && ok(); ++i) list.push_back(read_string());
  return list;
}

std::optional<std::string> Reader::read_bytes() {
  int32_t n = read_int();
  if (!ok() || n < 0) return std::nullopt;
  if (!Need(static_cast<size_t>(n), "[bytes]")) return std::nullopt;
  return std::string(read_raw(static_cast<size_t>(n)));
}

Value Reader::read_value() {
  int32_t n = read_int();
  if (!ok()) return {};
  if (n == -1) return Value::Null();
  if (n == -2) return Value::Unset();
  if (n < 0) {
    Fail("invalid [value] length " + std::to_string(n));
    return {};
  }
  if (!Need(static_cast<size_t>(n), "[value]")) return {};
  return Value::Of(std::string(read_raw(static_cast<size_t>(n))));
}

std::string Reader::read_short_bytes() {
  uint16_t n = read_short();
  if (!Need(n, "[short bytes]")) return {};
  return std::string(read_raw(n));
}

std::map<std::string, std::string> Reader::read_string_map() {
  uint16_t n = read_short();
  std::map<std::string, std::string> m;
  for (uint16_t i = 0; i < n && ok(); ++i) {
    std::string k = read_string();
    m[k] = read_string();
  }
  return m;
}

std::map<std::string, std::vector<std::string>> Reader::read_string_multimap() {
  uint16_t n = read_short();
  std::map<std::string, std::vector<std::string>> m;
  for (uint16_t i = 0; i < n && ok(); ++i) {
    std::string k = read_string();
    m[k] = read_string_list();
  }
  return m;
}

std::string Reader::read_inet() {
  uint8_t size = read_byte();
  if (ok() && size != 4 && size != 16) {
    Fail("[inet] address of " + std::to_string(size) + " bytes");
    return {};
  }
  std::string_view addr = read_raw(size);
  int32_t port = read_int();
  if (!ok()) return {};
  std::string text;
  if (size == 4) {
    for (int i = 0; i < 4; ++i) {
      if (i) text += '.';
      text += std::to_string(static_cast<uint8_t>(addr[i]));
    }
  } else {
    static const char* kHex = "0123456789abcdef";
    text += '[';
    for (int i = 0; i < 16; i += 2) {
      if (i) text += ':';
      for (int j = i; j < i + 2; ++j) {
        text += kHex[static_cast<uint8_t>(addr[j]) >> 4];
        text += kHex[static_cast<uint8_t>(addr[j]) & 15];
      }
    }
    text += ']';
  }
  return text + ":" + std::to_string(port);
}

namespace {
int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
}  // namespace

std::optional<Uuid> ParseUuid(std::string_view text) {
  if (text.size() != 36) return std::nullopt;
  Uuid u{};
  size_t byte = 0;
  for (size_t i = 0; i < text.size();) {
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (text[i] != '-') return std::nullopt;
      ++i;
      continue;
    }
    int hi = HexDigit(text[i]);
    int lo = HexDigit(text[i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    u[byte++] = static_cast<uint8_t>(hi << 4 | lo);
    i += 2;
  }
  return u;
}

std::string FormatUuid(const Uuid& u) {
  static const char* kHex = "0123456789abcdef";
  std::string text;
  for (size_t i = 0; i < u.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) text += '-';
    text += kHex[u[i] >> 4];
    text += kHex[u[i] & 15];
  }
  return text;
}

}  // namespace shopstream::cassandra
