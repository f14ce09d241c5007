// A line of a dead-letter file as a person may have edited it (`deadletters replay --from`):
// any bytes. Parse returns a line or InvalidArgument, never crashes; a line it accepts has a
// partition a Kafka partition can be, and its message, written back as hex, reads the same.
#include "pipeline/dead_letter_line.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/hex.h"
#include "fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static shopstream::pipeline::DeadLetterLineReader reader;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto line = reader.Parse(text);
  if (!line.ok()) {
    if (line.status().code() != shopstream::StatusCode::kInvalidArgument)
      shopstream::fuzz::Fail("a refusal that is not InvalidArgument");
    return 0;
  }
  if (line->key.partition < 0) shopstream::fuzz::Fail("a negative partition");
  std::string escaped;
  for (char c : line->key.stream) {
    if (c == '"' || c == '\\') escaped.push_back('\\');
    escaped.push_back(c);
  }
  if (escaped.find_first_of(std::string_view("\0\n\r\t\b\f", 6)) != std::string::npos) return 0;
  const std::string again = "{\"stream\":\"" + escaped +
                            "\",\"partition\":" + std::to_string(line->key.partition) +
                            ",\"offset\":" + std::to_string(line->key.offset) +
                            ",\"message_hex\":\"" + shopstream::ToHex(line->payload) + "\"}";
  auto reread = reader.Parse(again);
  if (!reread.ok()) shopstream::fuzz::Fail("a line written back from a parsed one is refused");
  if (reread->key.stream != line->key.stream || reread->key.partition != line->key.partition ||
      reread->key.offset != line->key.offset || reread->payload != line->payload)
    shopstream::fuzz::Fail("a line written back reads differently");
  return 0;
}
