// CQL data types (spec section 4.2.5.2 [option] ids and section 6 serialization), the
// consistency levels, encoders for bound values and a text form of column values.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cassandra/codec.h"
#include "common/status.h"

namespace shopstream::cassandra {

enum class TypeId : uint16_t {
  kCustom = 0x0000,
  kAscii = 0x0001,
  kBigint = 0x0002,
  kBlob = 0x0003,
  kBoolean = 0x0004,
  kCounter = 0x0005,
  kDecimal = 0x0006,
  kDouble = 0x0007,
  kFloat = 0x0008,
  kInt = 0x0009,
  kTimestamp = 0x000B,
  kUuid = 0x000C,
  kVarchar = 0x000D,
  kVarint = 0x000E,
  kTimeuuid = 0x000F,
  kInet = 0x0010,
  kDate = 0x0011,
  kTime = 0x0012,
  kSmallint = 0x0013,
  kTinyint = 0x0014,
  kList = 0x0020,
  kMap = 0x0021,
  kSet = 0x0022,
  kUdt = 0x0030,
  kTuple = 0x0031,
};

// A column type as an [option]; collections and tuples keep their element types.
struct ColumnType {
  TypeId id = TypeId::kBlob;
  std::string custom;  // class name (kCustom) or "keyspace.name" (kUdt)
  std::vector<ColumnType> params;
  std::vector<std::string> field_names;  // kUdt

  std::string Name() const;  // "text", "list<int>", ...
};

// Reads an [option] type; nesting deeper than a sane limit is Corruption.
ColumnType ReadColumnType(Reader& r, int depth = 0);

enum class Consistency : uint16_t {
  kAny = 0x0000,
  kOne = 0x0001,
  kTwo = 0x0002,
  kThree = 0x0003,
  kQuorum = 0x0004,
  kAll = 0x0005,
  kLocalQuorum = 0x0006,
  kEachQuorum = 0x0007,
  kSerial = 0x0008,
  kLocalSerial = 0x0009,
  kLocalOne = 0x000A,
};

// "LOCAL_QUORUM", "one", ... (case-insensitive).
Result<Consistency> ParseConsistency(std::string_view name);
const char* ConsistencyName(Consistency c);

// Encoders for bound values (section 6).
Value TextValue(std::string_view s);
Value IntValue(int32_t v);
Value BigintValue(int64_t v);
Value FloatValue(float v);
Value DoubleValue(double v);
Value BooleanValue(bool v);
Value UuidValue(const Uuid& u);

// The text form of a non-null value of `type`, as cqlsh would show it for the common types:
// text as is, numbers in decimal, uuids canonical, timestamps as UTC "YYYY-MM-DD HH:MM:SS.mmmZ",
// booleans true/false; other types as 0x-prefixed hex.
std::string FormatValue(const ColumnType& type, std::string_view bytes);

// Decoders for the store's and tests' use; nullopt when the bytes do not fit the type.
std::optional<int32_t> DecodeInt(std::string_view bytes);
std::optional<int64_t> DecodeBigint(std::string_view bytes);
std::optional<float> DecodeFloat(std::string_view bytes);
std::optional<double> DecodeDouble(std::string_view bytes);

}  // namespace shopstream::cassandra
