// A QueryStore that remembers its answers until the data changes: each call first reads the
// inner store's ChangeStamp (one tiny query) and, while it is unchanged, answers the same
// question from memory. Every viewer of the dashboard asks the same few questions between two
// micro-batches, so N open pages cost one computation per commit instead of N; the first
// request after a commit pays the full price.
#pragma once

#include <memory>

#include "query/query_store.h"

namespace shopstream::query {

// At most `max_entries` answers (distinct ranges and limits) taking at most `max_bytes` in all
// are kept, counted by what they hold (points, names, keys); an answer that would pass either
// limit starts the memory over, and one larger than a quarter of `max_bytes` is not kept.
inline constexpr size_t kDefaultAnswerCacheBytes = 16 << 20;
std::unique_ptr<QueryStore> WithAnswerCache(std::unique_ptr<QueryStore> inner,
                                            size_t max_entries = 256,
                                            size_t max_bytes = kDefaultAnswerCacheBytes);

}  // namespace shopstream::query
