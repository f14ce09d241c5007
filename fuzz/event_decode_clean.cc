// A bus message through the processor's decode and clean step (pipeline/batch_builder.h, the
// code the processor runs, so that this target follows the event contract wherever it is
// written): every message becomes exactly one cleaned row or one dead letter with a reason, the
// code its rule gave and the message as its payload, a row agrees with the raw event kept beside
// it, and a decoded event survives EncodeEventJson and decoding again unchanged (what `produce`
// writes, `process` reads).
//
// Input: the message.
#include <simdjson.h>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "event/json_codec.h"
#include "fuzz/fuzz_support.h"
#include "pipeline/batch_builder.h"

using namespace shopstream;

namespace {

bool IsUtf8(const std::string& s) { return simdjson::validate_utf8(s.data(), s.size()); }

bool AllValidUtf8(const Event& e) {
  for (const std::string* s : {&e.event_time, &e.event_type, &e.id}) {
    if (!IsUtf8(*s)) return false;
  }
  for (const auto* s : {&e.category_code, &e.brand, &e.user_session}) {
    if (*s && !IsUtf8(**s)) return false;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static pipeline::BatchBuilder builder;
  static EventDecoder decoder;
  const std::string payload(reinterpret_cast<const char*>(data), size);

  std::vector<bus::Message> messages(1);
  messages[0].partition = 3;
  messages[0].offset = 41;
  messages[0].payload = payload;
  pipeline::DecodedBatch batch = builder.Build("fuzz", messages);
  const auto& rows = batch.processed.rows;
  const auto& dead = batch.processed.dead_letters;
  if (rows.size() + dead.size() != 1) fuzz::Fail("not exactly one row or dead letter");
  if (batch.events.size() != rows.size()) fuzz::Fail("raw events and rows differ");
  if (batch.processed.next_offsets.at(3) != 42) fuzz::Fail("the next offset");
  if (!dead.empty()) {
    if (dead[0].reason.empty()) fuzz::Fail("a dead letter without a reason");
    // Every refusal of the decoder and the contract is labelled where it is decided.
    if (!IsReasonCode(dead[0].code) || dead[0].code == "other") {
      fuzz::Fail("a dead letter without its code");
    }
    if (dead[0].payload.size() > pipeline::kMaxDeadLetterPayload)
      fuzz::Fail("a dead letter too large");
    if (dead[0].payload != std::string_view(payload).substr(0, pipeline::kMaxDeadLetterPayload)) {
      fuzz::Fail("a dead letter's payload is not the message");
    }
  } else {
    const Event& raw = batch.events[0];
    const CleanedEvent& row = rows[0];
    if (row.id != raw.id || row.event_type != raw.event_type || row.price != raw.price) {
      fuzz::Fail("the row and its raw event disagree");
    }
    if (row.revenue != (raw.event_type == "purchase" ? raw.price : 0.0)) fuzz::Fail("revenue");
    if (row.event_time.size() != 19 || row.brand.empty() || row.department.empty() ||
        row.product.empty()) {
      fuzz::Fail("a row with an empty or malformed column");
    }
  }

  // The codec's round trip, for every event that decodes into text a message can carry.
  Event event;
  if (!decoder.Decode(payload, &event).ok()) return 0;
  if (!std::isfinite(event.price) || !AllValidUtf8(event)) return 0;
  std::string encoded;
  EncodeEventJson(event, &encoded);
  Event decoded;
  Status s = decoder.Decode(encoded, &decoded);
  if (!s.ok()) {
    std::fprintf(stderr, "re-encoded: %s\n%s\n", encoded.c_str(), s.message().c_str());
    fuzz::Fail("an encoded event does not decode");
  }
  if (!(decoded == event)) {
    std::fprintf(stderr, "re-encoded: %s\n", encoded.c_str());
    fuzz::Fail("an event changes through encode and decode");
  }
  return 0;
}
