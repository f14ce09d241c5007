// How the archive's rows become file bytes. The archiver fills one builder per file and asks
// for the bytes when the file's epoch is committed; it knows nothing of Parquet, so its tests
// run on a trivial format and the rest of the archive builds without Arrow.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "common/status.h"
#include "event/event.h"

namespace shopstream::archive {

// Where a message was on the bus.
struct BusPosition {
  int32_t partition = 0;
  int64_t offset = 0;
};

// A message that could not be archived as an event, with the reason.
struct DeadLetter {
  BusPosition position;
  std::string reason;
  std::string payload;  // as received, cut to kMaxDeadLetterBytes
  std::string code;     // the refusal's code and field (event/contract.h ReasonCode)
  std::string field;
};
inline constexpr size_t kMaxDeadLetterBytes = 64 * 1024;

// One file of events. Not thread-safe.
class EventFileBuilder {
 public:
  virtual ~EventFileBuilder() = default;
  // `time_us`: event_time as microseconds since the epoch (UTC). The event's text fields are
  // valid UTF-8 (the archiver checks).
  virtual Status Add(const Event& event, int64_t time_us, const BusPosition& position) = 0;
  // The whole file. Call once; the builder is spent afterwards.
  virtual Result<std::string> Finish() = 0;
};

// One file of dead letters. Not thread-safe.
class DeadLetterFileBuilder {
 public:
  virtual ~DeadLetterFileBuilder() = default;
  virtual Status Add(const DeadLetter& letter) = 0;
  virtual Result<std::string> Finish() = 0;
};

class FileFormat {
 public:
  virtual ~FileFormat() = default;
  virtual std::unique_ptr<EventFileBuilder> NewEventFile() = 0;
  virtual std::unique_ptr<DeadLetterFileBuilder> NewDeadLetterFile() = 0;
};

}  // namespace shopstream::archive
