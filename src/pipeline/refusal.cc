#include "pipeline/refusal.h"

namespace shopstream::pipeline {
namespace {

// Writes [begin, end), known to be refused as a whole, in two halves.
Status Split(size_t begin, size_t end, const std::function<Status(size_t, size_t)>& write,
             std::vector<Refusal>* refused) {
  const size_t middle = begin + (end - begin) / 2;
  for (auto [b, e] : {std::pair{begin, middle}, std::pair{middle, end}}) {
    Status s = write(b, e);
    if (s.ok()) continue;
    if (s.code() != StatusCode::kRefusedValue) return s;
    if (e - b == 1) {
      refused->push_back({b, s.message()});
    } else if (Status deeper = Split(b, e, write, refused); !deeper.ok()) {
      return deeper;
    }
  }
  return Status::Ok();
}

}  // namespace

Result<std::vector<Refusal>> IsolateRefused(size_t count, const Status& refusal,
                                            const std::function<Status(size_t, size_t)>& write) {
  std::vector<Refusal> refused;
  if (count == 0) return refused;
  if (count == 1) {
    refused.push_back({0, refusal.message()});
    return refused;
  }
  if (Status s = Split(0, count, write, &refused); !s.ok()) return s;
  if (refused.size() == count) {
    return Status::Internal(
        "the store refused every one of " + std::to_string(count) +
        " rows, which points at the store rather than the data: " + refused.front().reason);
  }
  return refused;
}

}  // namespace shopstream::pipeline
