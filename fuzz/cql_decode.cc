// The CQL v4 client's decoders (cassandra/frame.h, cassandra/messages.h, cassandra/types.h) on any
// bytes, as a hostile or broken server could send them: each returns a value or a Corruption
// status, never crashes, hangs or allocates without bound. Rows that decode are printed as
// `shopstream cql` prints them (FormatValue), which walks every column type.
//
// Input: byte 0 selects the response header flags for StripResponseExtras; the rest is a
// frame or a body.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "cassandra/frame.h"
#include "cassandra/messages.h"
#include "cassandra/types.h"
#include "fuzz/fuzz_support.h"

using namespace shopstream::cassandra;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const uint8_t flags = data[0];
  std::string_view bytes(reinterpret_cast<const char*>(data) + 1, size - 1);

  auto frame = DecodeFrame(bytes);
  if (frame.ok() && frame->body.size() != bytes.size() - kHeaderSize) {
    shopstream::fuzz::Fail("a frame's body is not the rest of its bytes");
  }
  auto known = FrameSizeIfKnown(bytes);
  if (known.ok() && *known != 0 && *known < kHeaderSize) shopstream::fuzz::Fail("a frame size");
  (void)DecodeError(bytes);
  (void)DecodeAuthenticate(bytes);
  (void)DecodeSupported(bytes);
  ResponseExtras extras;
  auto rest = StripResponseExtras(flags & 0x0F, bytes, &extras);
  if (rest.ok() && rest->size() > bytes.size()) shopstream::fuzz::Fail("extras grew the body");
  Reader r(bytes);
  (void)ReadColumnType(r);

  auto result = DecodeResult(rest.ok() ? *rest : bytes);
  if (!result.ok() || result->kind != ResultKind::kRows) return 0;
  const auto& columns = result->metadata.columns;
  for (const Row& row : result->rows) {
    if (!columns.empty() && row.size() != columns.size()) {
      shopstream::fuzz::Fail("a row with another width than its metadata");
    }
    for (size_t i = 0; i < row.size() && i < columns.size(); ++i) {
      if (row[i]) (void)FormatValue(columns[i].type, *row[i]);
    }
  }
  return 0;
}
