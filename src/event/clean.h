// The seed's transformation from a raw event to a cleaned row, as a pure function, behind the
// event contract (event/contract.h).
#pragma once

#include "common/status.h"
#include "event/contract.h"
#include "event/event.h"

namespace shopstream {

// Applies the event contract to `event` (ConformEvent: it may change the event to its one
// stored form, which is what the raw store must keep), then the seed's cleaning rules
// (../shared/seed/README.md):
//  - department = first '.'-separated part of category_code, product = last part;
//  - revenue = price for "purchase", else 0;
//  - a missing brand, department or product becomes "other", and so does every occurrence of
//    the text "NaN" in them (the seed's regexp_replace(c, 'NaN', 'other'));
//  - event_time becomes a DATETIME "YYYY-MM-DD HH:MM:SS" (fraction and zone cut);
//  - user_id and user_session are dropped, as the seed's table does, but their hashes are
//    kept (user_hash, session_hash) for the counts of distinct users and sessions.
// InvalidArgument, naming the field and the value, when the event breaks the contract or a
// cleaned name is wider than the seed's column. The processor dead-letters such an event.
Result<CleanedEvent> Clean(Event* event);

// The same into `out`, whose strings are overwritten in place (a row reused from batch to
// batch keeps their capacity, so cleaning allocates nothing). On failure `out` holds no row.
// `policy` says what becomes of a department, product or brand wider than its column.
Status CleanInto(Event* event, CleanedEvent* out, LongText policy = LongText::kRefuse);

}  // namespace shopstream
