// The seed's transformation from a raw event to a cleaned row, as a pure function.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"
#include "event/event.h"

namespace shopstream {

// Applies the seed's cleaning rules (../shared/seed/README.md):
//  - department = first '.'-separated part of category_code, product = last part;
//  - revenue = price for "purchase", else 0;
//  - a missing brand, department or product becomes "other", and so does every occurrence of
//    the text "NaN" in them (the seed's regexp_replace(c, 'NaN', 'other'));
//  - event_time is normalised to a DATETIME "YYYY-MM-DD HH:MM:SS" (fractions and " UTC" cut).
// Fails with InvalidArgument when the event cannot be stored verbatim: an unreadable
// event_time, an id that is not a UUID, text that is not valid UTF-8, an empty event_type or one
// over 20 characters, a cleaned brand, department or product over 50 characters (the widths of
// the seed's MySQL table; characters, not bytes), or a price that is not a finite number.
// The processor turns such an event into a dead letter with this reason.
Result<CleanedEvent> Clean(const Event& event);

// "2019-11-08 08:14:53 UTC" -> "2019-11-08 08:14:53"; empty when not a timestamp.
std::string NormaliseEventTime(std::string_view text);

}  // namespace shopstream
