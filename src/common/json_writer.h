// A small streaming JSON writer for the dashboard API. Strings are escaped so that the
// output is safe to embed anywhere: quotes, backslashes, control characters, and also
// '<', '>', '&', U+2028 and U+2029 become \u escapes; bytes that are not UTF-8 become U+FFFD,
// so that the output is always valid JSON.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace shopstream {

class JsonWriter {
 public:
  JsonWriter& BeginObject();
  JsonWriter& EndObject();
  JsonWriter& BeginArray();
  JsonWriter& EndArray();
  JsonWriter& Key(std::string_view key);
  JsonWriter& String(std::string_view value);
  JsonWriter& Int(int64_t value);
  JsonWriter& Double(double value);  // non-finite values become null
  JsonWriter& OptionalDouble(const std::optional<double>& value);
  JsonWriter& Bool(bool value);
  JsonWriter& Null();

  const std::string& str() const { return out_; }

 private:
  void BeforeValue();
  std::string out_;
  // One entry per open container: true once it holds an element (a comma is due).
  std::vector<bool> has_element_;
  bool after_key_ = false;
};

// Appends `value` to `out` as a quoted JSON string.
void AppendJsonString(std::string& out, std::string_view value);

// `value` with every byte that is not part of well-formed UTF-8 replaced by U+FFFD (for text
// formats other than JSON, such as Prometheus labels).
std::string ToValidUtf8(std::string_view value);

}  // namespace shopstream
