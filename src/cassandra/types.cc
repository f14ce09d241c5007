#include "cassandra/types.h"

#include <bit>
#include <cctype>
#include <charconv>
#include <cstring>
#include <ctime>

#include "common/hex.h"

namespace shopstream::cassandra {

namespace {

// Deeply nested [option]s are legal but no real schema nests this far; the limit keeps a
// hostile frame from recursing the stack away.
constexpr int kMaxTypeDepth = 16;

template <typename T>
std::optional<T> DecodeBigEndian(std::string_view bytes) {
  if (bytes.size() != sizeof(T)) return std::nullopt;
  using U = std::make_unsigned_t<T>;
  U u = 0;
  for (unsigned char c : bytes) u = static_cast<U>((u << 8) | c);
  return static_cast<T>(u);
}

std::string FormatFloating(double v) {
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return ec == std::errc() ? std::string(buf, end) : "?";
}

std::string FormatFloat(float v) {
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return ec == std::errc() ? std::string(buf, end) : "?";
}

std::string FormatTimestamp(int64_t ms) {
  int64_t seconds = ms / 1000;
  int64_t millis = ms % 1000;
  if (millis < 0) {
    millis += 1000;
    seconds -= 1;
  }
  std::time_t t = static_cast<std::time_t>(seconds);
  std::tm tm{};
  if (!gmtime_r(&t, &tm)) return std::to_string(ms);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d %02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(millis));
  return buf;
}

}  // namespace

std::string ColumnType::Name() const {
  switch (id) {
    case TypeId::kCustom:
      return "'" + custom + "'";
    case TypeId::kAscii:
      return "ascii";
    case TypeId::kBigint:
      return "bigint";
    case TypeId::kBlob:
      return "blob";
    case TypeId::kBoolean:
      return "boolean";
    case TypeId::kCounter:
      return "counter";
    case TypeId::kDecimal:
      return "decimal";
    case TypeId::kDouble:
      return "double";
    case TypeId::kFloat:
      return "float";
    case TypeId::kInt:
      return "int";
    case TypeId::kTimestamp:
      return "timestamp";
    case TypeId::kUuid:
      return "uuid";
    case TypeId::kVarchar:
      return "text";
    case TypeId::kVarint:
      return "varint";
    case TypeId::kTimeuuid:
      return "timeuuid";
    case TypeId::kInet:
      return "inet";
    case TypeId::kDate:
      return "date";
    case TypeId::kTime:
      return "time";
    case TypeId::kSmallint:
      return "smallint";
    case TypeId::kTinyint:
      return "tinyint";
    case TypeId::kUdt:
      return custom;
    case TypeId::kList:
    case TypeId::kSet:
    case TypeId::kMap:
    case TypeId::kTuple: {
      std::string name = id == TypeId::kList  ? "list<"
                         : id == TypeId::kSet ? "set<"
                         : id == TypeId::kMap ? "map<"
                                              : "tuple<";
      for (size_t i = 0; i < params.size(); ++i) name += (i ? ", " : "") + params[i].Name();
      return name + ">";
    }
  }
  return "unknown";
}

ColumnType ReadColumnType(Reader& r, int depth) {
  ColumnType t;
  if (depth > kMaxTypeDepth) {
    r.Fail("column type nested more than " + std::to_string(kMaxTypeDepth) + " deep");
    return t;
  }
  uint16_t id = r.read_short();
  if (!r.ok()) return t;
  t.id = static_cast<TypeId>(id);
  switch (t.id) {
    case TypeId::kCustom:
      t.custom = r.read_string();
      break;
    case TypeId::kList:
    case TypeId::kSet:
      t.params.push_back(ReadColumnType(r, depth + 1));
      break;
    case TypeId::kMap:
      t.params.push_back(ReadColumnType(r, depth + 1));
      t.params.push_back(ReadColumnType(r, depth + 1));
      break;
    case TypeId::kUdt: {
      std::string ks = r.read_string();
      t.custom = ks + "." + r.read_string();
      uint16_t n = r.read_short();
      for (uint16_t i = 0; i < n && r.ok(); ++i) {
        t.field_names.push_back(r.read_string());
        t.params.push_back(ReadColumnType(r, depth + 1));
      }
      break;
    }
    case TypeId::kTuple: {
      uint16_t n = r.read_short();
      for (uint16_t i = 0; i < n && r.ok(); ++i) t.params.push_back(ReadColumnType(r, depth + 1));
      break;
    }
    case TypeId::kAscii:
    case TypeId::kBigint:
    case TypeId::kBlob:
    case TypeId::kBoolean:
    case TypeId::kCounter:
    case TypeId::kDecimal:
    case TypeId::kDouble:
    case TypeId::kFloat:
    case TypeId::kInt:
    case TypeId::kTimestamp:
    case TypeId::kUuid:
    case TypeId::kVarchar:
    case TypeId::kVarint:
    case TypeId::kTimeuuid:
    case TypeId::kInet:
    case TypeId::kDate:
    case TypeId::kTime:
    case TypeId::kSmallint:
    case TypeId::kTinyint:
      break;
    default:
      // Newer servers add types (duration, vector); their values are shown as hex, but an
      // unknown id with parameters would desynchronise the rest of the metadata.
      if (id > 0x0031) r.Fail("unknown column type id " + std::to_string(id));
      break;
  }
  return t;
}

namespace {
struct ConsistencyName_ {
  Consistency level;
  const char* name;
};
constexpr ConsistencyName_ kConsistencyNames[] = {
    {Consistency::kAny, "ANY"},
    {Consistency::kOne, "ONE"},
    {Consistency::kTwo, "TWO"},
    {Consistency::kThree, "THREE"},
    {Consistency::kQuorum, "QUORUM"},
    {Consistency::kAll, "ALL"},
    {Consistency::kLocalQuorum, "LOCAL_QUORUM"},
    {Consistency::kEachQuorum, "EACH_QUORUM"},
    {Consistency::kSerial, "SERIAL"},
    {Consistency::kLocalSerial, "LOCAL_SERIAL"},
    {Consistency::kLocalOne, "LOCAL_ONE"},
};
}  // namespace

Result<Consistency> ParseConsistency(std::string_view name) {
  std::string upper;
  for (char c : name) upper += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  for (const auto& entry : kConsistencyNames) {
    if (upper == entry.name) return entry.level;
  }
  return Status::InvalidArgument("unknown consistency level '" + std::string(name) +
                                 "' (use ONE, LOCAL_ONE, QUORUM, LOCAL_QUORUM, ALL, ...)");
}

const char* ConsistencyName(Consistency c) {
  for (const auto& entry : kConsistencyNames) {
    if (entry.level == c) return entry.name;
  }
  return "UNKNOWN";
}

Value TextValue(std::string_view s) { return Value::Of(std::string(s)); }

Value IntValue(int32_t v) {
  Writer w;
  w.write_int(v);
  return Value::Of(w.take());
}

Value BigintValue(int64_t v) {
  Writer w;
  w.write_long(v);
  return Value::Of(w.take());
}

Value FloatValue(float v) { return IntValue(std::bit_cast<int32_t>(v)); }
Value DoubleValue(double v) { return BigintValue(std::bit_cast<int64_t>(v)); }
Value BooleanValue(bool v) { return Value::Of(std::string(1, v ? '\1' : '\0')); }

Value UuidValue(const Uuid& u) {
  return Value::Of(std::string(reinterpret_cast<const char*>(u.data()), u.size()));
}

std::optional<int32_t> DecodeInt(std::string_view b) { return DecodeBigEndian<int32_t>(b); }
std::optional<int64_t> DecodeBigint(std::string_view b) { return DecodeBigEndian<int64_t>(b); }

std::optional<float> DecodeFloat(std::string_view b) {
  auto bits = DecodeBigEndian<int32_t>(b);
  if (!bits) return std::nullopt;
  return std::bit_cast<float>(*bits);
}

std::optional<double> DecodeDouble(std::string_view b) {
  auto bits = DecodeBigEndian<int64_t>(b);
  if (!bits) return std::nullopt;
  return std::bit_cast<double>(*bits);
}

std::string FormatValue(const ColumnType& type, std::string_view bytes) {
  switch (type.id) {
    case TypeId::kAscii:
    case TypeId::kVarchar:
      return std::string(bytes);
    case TypeId::kInt:
      if (auto v = DecodeInt(bytes)) return std::to_string(*v);
      break;
    case TypeId::kBigint:
    case TypeId::kCounter:
      if (auto v = DecodeBigint(bytes)) return std::to_string(*v);
      break;
    case TypeId::kSmallint:
      if (auto v = DecodeBigEndian<int16_t>(bytes)) return std::to_string(*v);
      break;
    case TypeId::kTinyint:
      if (auto v = DecodeBigEndian<int8_t>(bytes)) return std::to_string(*v);
      break;
    case TypeId::kFloat:
      if (auto v = DecodeFloat(bytes)) return FormatFloat(*v);
      break;
    case TypeId::kDouble:
      if (auto v = DecodeDouble(bytes)) return FormatFloating(*v);
      break;
    case TypeId::kBoolean:
      if (bytes.size() == 1) return bytes[0] ? "true" : "false";
      break;
    case TypeId::kUuid:
    case TypeId::kTimeuuid:
      if (bytes.size() == 16) {
        Uuid u;
        std::memcpy(u.data(), bytes.data(), 16);
        return FormatUuid(u);
      }
      break;
    case TypeId::kTimestamp:
      if (auto v = DecodeBigint(bytes)) return FormatTimestamp(*v);
      break;
    default:
      break;
  }
  return "0x" + ToHex(bytes);
}

}  // namespace shopstream::cassandra
