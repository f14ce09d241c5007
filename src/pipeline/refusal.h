// Finding the rows a store refuses. A store that cannot hold a value fails the whole call with
// RefusedValue (a MySQL column that refuses a date, say); the processor then writes the batch
// again in halves, and halves of those, until every part is either written or a single row the
// store refuses. Those rows become dead letters and the stream goes on.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "common/status.h"

namespace shopstream::pipeline {

struct Refusal {
  size_t index = 0;    // of the row in the batch
  std::string reason;  // the store's message
};

// Writes the items [0, count) in halves by calling `write(begin, end)`, splitting each range
// the store refuses, and returns the single items it refused. Each range that succeeds is
// written once. The first status that is neither ok nor RefusedValue is returned as it is. If
// the store refuses every one of two or more items, that is no row's fault (a dropped table,
// say): Internal, naming the first refusal. `refusal` is the store's answer to the whole range
// (REQUIRES: RefusedValue), which is also the reason when `count` is 1.
Result<std::vector<Refusal>> IsolateRefused(size_t count, const Status& refusal,
                                            const std::function<Status(size_t, size_t)>& write);

}  // namespace shopstream::pipeline
