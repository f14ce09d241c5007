// A session's open product states (event/session_funnel.h FunnelProduct) packed into one value
// of funnel_states.products: per product its id and its four times, five 64-bit integers, little
// endian, 40 bytes. One row per session instead of one per session and product: a batch writes
// a fifth as many rows (docs/bench/notes/stores.md).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>

#include "common/status.h"
#include "event/session_funnel.h"

namespace shopstream::sql {

inline constexpr size_t kPackedProductBytes = 40;

// Appends one product's state to a session's packed value.
void AppendPackedProduct(int64_t product_id, const FunnelProduct& product, std::string* packed);

// Adds the states of `packed` to `into` under `session`; Corruption when it is not whole products.
Status UnpackProducts(uint64_t session, std::string_view packed,
                      std::map<std::pair<uint64_t, int64_t>, FunnelProduct>* into);

}  // namespace shopstream::sql
