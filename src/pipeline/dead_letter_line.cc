#include "pipeline/dead_letter_line.h"

#include <simdjson.h>

#include <cstdint>

#include "common/hex.h"

namespace shopstream::pipeline {

DeadLetterLineReader::DeadLetterLineReader() : parser_(std::make_unique<simdjson::dom::parser>()) {}
DeadLetterLineReader::~DeadLetterLineReader() = default;

Result<DeadLetterLine> DeadLetterLineReader::Parse(std::string_view line) {
  simdjson::dom::element doc;
  // simdjson reads past the end of what it is given unless it copies: padded_string does.
  if (auto err = parser_->parse(simdjson::padded_string(line)).get(doc)) {
    return Status::InvalidArgument(std::string("not JSON (") + simdjson::error_message(err) + ")");
  }
  simdjson::dom::object object;
  if (doc.get_object().get(object)) return Status::InvalidArgument("not a JSON object");
  DeadLetterLine out;
  std::string_view stream, message, hex;
  int64_t partition = 0;
  if (object["stream"].get(stream) || object["partition"].get(partition) ||
      object["offset"].get(out.key.offset) || partition < 0 || partition > INT32_MAX) {
    return Status::InvalidArgument(
        "needs the provenance: \"stream\" (text), \"partition\" and \"offset\" (numbers) as "
        "export wrote them");
  }
  out.key.stream = stream;
  out.key.partition = static_cast<int32_t>(partition);
  if (!object["message"].get(message)) {
    out.payload = message;
  } else if (!object["message_hex"].get(hex)) {
    if (!FromHex(hex, &out.payload)) return Status::InvalidArgument("\"message_hex\" is not hex");
  } else {
    return Status::InvalidArgument("needs \"message\" (text) or \"message_hex\"");
  }
  return out;
}

}  // namespace shopstream::pipeline
