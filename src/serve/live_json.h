// The live view's answers as JSON (/api/live, and the `pulse` event of /api/events): events per
// second over the last ten minutes and who is on the site now (query_store.h: Pulse,
// LivePeople).
#pragma once

#include <string>

#include "query/query_store.h"

namespace shopstream::serve {

// {"as_of": "YYYY-MM-DD HH:MM:S0" or null, "step_seconds": 10,
//  "points": [{"bucket", "events", "per_second"}, ...]}
std::string PulseJson(const query::Pulse& pulse);
// {"pulse": PulseJson, "people": {"as_of", "users_5m", "sessions_5m", "users_30m",
//  "sessions_30m", "users_per_minute": [{"bucket", "users"}, ...]}}
std::string LiveJson(const query::Pulse& pulse, const query::LivePeople& people);

}  // namespace shopstream::serve
