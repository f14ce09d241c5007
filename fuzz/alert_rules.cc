// The alert rules file (alert/alert_rules.h) and what the evaluator does with its rules:
//  - ParseRules gives rules or InvalidArgument naming the file and a line ("f:N: ...");
//  - a parsed rule has a valid name, a percentage in (0, 100] where it takes one, a window and
//    baseline in whole tens of seconds, names unique;
//  - the evaluator, given the rules and a few buckets, changes each rule at most once per
//    boundary and never resolves what did not fire.
#include "alert/alert_rules.h"

#include <cstddef>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "alert/evaluator.h"
#include "fuzz/fuzz_support.h"

using namespace shopstream;
using shopstream::fuzz::Fail;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto rules = alert::ParseRules(text, "f");
  if (!rules.ok()) {
    if (rules.status().code() != StatusCode::kInvalidArgument) Fail("not InvalidArgument");
    if (rules.status().message().rfind("f:", 0) != 0) Fail("an error without the file");
    return 0;
  }
  std::set<std::string> names;
  for (const alert::Rule& r : *rules) {
    if (r.name.empty() || r.name.size() > 50 || !names.insert(r.name).second) Fail("a name");
    if (r.condition != alert::Condition::kZero && !(r.percent > 0 && r.percent <= 100)) {
      Fail("a percentage");
    }
    if (r.window_seconds <= 0 || r.window_seconds % 10 || r.baseline_seconds % 10) {
      Fail("a window");
    }
  }
  if (rules->size() > 8) return 0;  // the evaluation below stays fast
  alert::Evaluator evaluator(*rules);
  std::map<int64_t, alert::Bucket> buckets;
  const int64_t start = 1'000'000'000;
  for (size_t i = 0; i < size && i < 64; ++i) {
    alert::Bucket& b = buckets[start + static_cast<int64_t>(i) * alert::kStepSeconds];
    b.events = b.purchases = b.messages = static_cast<unsigned char>(text[i]);
    b.dead_letters = static_cast<unsigned char>(text[i]) % 7;
  }
  std::vector<bool> firing(rules->size(), false);
  for (int64_t now = start; now <= start + 700; now += 170) {
    for (const alert::Transition& t : evaluator.Evaluate(now, buckets)) {
      size_t i = 0;
      while (i < rules->size() && (*rules)[i].name != t.rule) ++i;
      if (i == rules->size()) Fail("a change of an unknown rule");
      if (firing[i] == t.fired) Fail("a change that changes nothing");
      firing[i] = t.fired;
    }
  }
  return 0;
}
