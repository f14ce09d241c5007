#include "archive/recovery.h"

#include <map>
#include <set>
#include <tuple>

#include "archive/layout.h"

namespace shopstream::archive {
namespace {

struct EpochFiles {
  std::map<int, std::pair<std::string, ParsedFileName>> by_index;  // index -> (dir, parsed)
  bool has_final = false;
};

std::string Join(const std::string& dir, const std::string& name) {
  return dir.empty() ? name : dir + "/" + name;
}

std::string Describe(int32_t partition, int64_t first, int64_t last) {
  return "partition " + std::to_string(partition) + ", offsets " + std::to_string(first) + " to " +
         std::to_string(last);
}

}  // namespace

Result<RecoveryPlan> PlanRecovery(int32_t partition, const std::vector<DirListing>& listing) {
  RecoveryPlan plan;
  // (first, last, count) -> its files.
  std::map<std::tuple<int64_t, int64_t, int>, EpochFiles> epochs;
  for (const DirListing& dir : listing) {
    for (const std::string& name : dir.names) {
      auto parsed = ParseFileName(name);
      if (!parsed || parsed->name.partition != partition) continue;
      if (parsed->state == FileState::kTemp) {
        plan.deletes.push_back(Join(dir.dir, name));
        continue;
      }
      const FileName& n = parsed->name;
      EpochFiles& epoch = epochs[{n.first, n.last, n.count}];
      auto [it, inserted] = epoch.by_index.try_emplace(n.index, dir.dir, *parsed);
      if (!inserted) {
        return Status::Corruption("two files are number " + std::to_string(n.index) +
                                  " of the epoch of " + Describe(partition, n.first, n.last) +
                                  ": " + Join(it->second.first, name) + " and " +
                                  Join(dir.dir, name) + " (was another archive writing here?)");
      }
      epoch.has_final |= parsed->state == FileState::kFinal;
    }
  }

  int64_t covered_to = -1;  // last offset of the complete epochs seen so far, in order
  std::vector<const EpochFiles*> incomplete;
  std::vector<std::pair<int64_t, int64_t>> incomplete_ranges;
  for (const auto& [key, epoch] : epochs) {
    const auto& [first, last, count] = key;
    if (static_cast<int>(epoch.by_index.size()) != count) {
      if (epoch.has_final) {
        return Status::Corruption("the epoch of " + Describe(partition, first, last) + " has " +
                                  std::to_string(epoch.by_index.size()) + " of its " +
                                  std::to_string(count) +
                                  " files, some of them final: files were removed by hand?");
      }
      incomplete.push_back(&epoch);
      incomplete_ranges.emplace_back(first, last);
      continue;
    }
    if (first <= covered_to) {
      return Status::Corruption("epochs overlap at " + Describe(partition, first, last) +
                                " (was another archive writing here?)");
    }
    covered_to = last;
    plan.complete_epochs++;
    for (const auto& [index, entry] : epoch.by_index) {
      const auto& [dir, parsed] = entry;
      if (parsed.state == FileState::kPending) {
        plan.renames.emplace_back(Join(dir, FormatFileName(parsed.name, FileState::kPending)),
                                  Join(dir, FormatFileName(parsed.name, FileState::kFinal)));
      }
    }
  }
  if (covered_to >= 0) plan.next_offset = covered_to + 1;
  for (size_t i = 0; i < incomplete.size(); ++i) {
    // Only the newest epoch can be cut short: it begins after every complete one.
    if (incomplete_ranges[i].first <= covered_to) {
      return Status::Corruption(
          "an unfinished epoch at " +
          Describe(partition, incomplete_ranges[i].first, incomplete_ranges[i].second) +
          " overlaps finished ones (was another archive writing here?)");
    }
    for (const auto& [index, entry] : incomplete[i]->by_index) {
      plan.deletes.push_back(
          Join(entry.first, FormatFileName(entry.second.name, FileState::kPending)));
    }
  }
  return plan;
}

}  // namespace shopstream::archive
