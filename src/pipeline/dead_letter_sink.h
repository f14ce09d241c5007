// Where a processor's dead letters go besides the processed store: a dead-letter topic for Kafka
// users (process --dead-letters kafka://...). The store stays the record; a sink is told of each
// batch's dead letters once that batch committed, and must never hold the stream up.
#pragma once

#include <string>
#include <vector>

#include "store/store.h"

namespace shopstream::pipeline {

class DeadLetterSink {
 public:
  virtual ~DeadLetterSink() = default;
  // The dead letters of a batch of `stream` that just committed. Must not block: a sink that
  // cannot take them now drops them (they stay in the store) and says so.
  virtual void Offer(const std::string& stream, const std::vector<store::DeadLetter>& letters) = 0;
};

}  // namespace shopstream::pipeline
