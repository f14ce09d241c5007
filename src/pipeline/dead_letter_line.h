// One line of a dead-letter file, as `deadletters export` writes it and `deadletters replay
// --from` reads it back after a person edited it: a JSON object with the provenance ("stream",
// "partition", "offset": the dead letter it answers) and the message ("message" as text, or
// "message_hex" for bytes that are not UTF-8). Other keys (code, reason, state...) are for the
// reader and ignored. Strict: anything else is refused with a reason that a person can act on.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"
#include "store/store.h"

namespace simdjson::dom {
class parser;
}

namespace shopstream::pipeline {

struct DeadLetterLine {
  store::DeadLetterKey key;
  std::string payload;
};

class DeadLetterLineReader {
 public:
  DeadLetterLineReader();
  ~DeadLetterLineReader();

  // The line's provenance and message; InvalidArgument saying what is wrong otherwise.
  Result<DeadLetterLine> Parse(std::string_view line);

 private:
  std::unique_ptr<simdjson::dom::parser> parser_;  // reused: its buffers grow once
};

}  // namespace shopstream::pipeline
