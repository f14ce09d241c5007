// The Kafka Metadata v12 decoder (kafka/metadata_wire.h) on any bytes, as a broken or hostile
// broker could send them: a list of topics or a Corruption status, never a crash, a read past
// the end or an allocation the bytes cannot justify.
//
// Input: the response's bytes (after the 4-byte size).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz/fuzz_support.h"
#include "kafka/metadata_wire.h"

using namespace shopstream::kafka;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  auto topics = DecodeMetadataResponse(bytes, 1);
  if (!topics.ok()) {
    if (topics.status().code() != shopstream::StatusCode::kCorruption) {
      shopstream::fuzz::Fail("a refusal that is not Corruption");
    }
    return 0;
  }
  // Every topic takes at least 26 bytes of the response.
  if (topics->size() * 26 > size) shopstream::fuzz::Fail("more topics than bytes");
  for (const MetadataTopic& t : *topics) {
    if (t.name.size() > size) shopstream::fuzz::Fail("a name longer than the response");
    if (FormatTopicId(t.id).size() != 22) shopstream::fuzz::Fail("an id's text is not 22 long");
  }
  return 0;
}
