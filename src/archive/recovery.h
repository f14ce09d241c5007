// Where the archive resumes a bus partition, decided from file names alone (docs/archive.md,
// "Recovery"). Pure: the caller lists the destination and carries the plan out.
//
// The writer commits the epochs of a partition one after another, each in two rounds of
// renames: every file of the epoch from temporary to pending, then every one from pending to
// final. So, for a partition:
//  - an epoch whose N files are all there, pending or final, was written in full: its pending
//    files are renamed to final (rolled forward), and reading resumes after its last offset;
//  - an epoch with fewer than N files was cut short before its first round ended: no final
//    file of it exists, nothing of it is visible, and its pending files are deleted (its
//    messages are read again);
//  - temporary files are deleted.
// Because an epoch begins where the previous one ended, every offset below the resume point is
// in exactly one complete epoch, and none above it is in any.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/status.h"

namespace shopstream::archive {

// One archive folder (relative to the destination's root) and the names of the files in it.
struct DirListing {
  std::string dir;
  std::vector<std::string> names;
};

struct RecoveryPlan {
  // One past the last offset of the newest complete epoch; nullopt when none is stored.
  std::optional<int64_t> next_offset;
  std::vector<std::pair<std::string, std::string>> renames;  // pending -> final, as paths
  std::vector<std::string> deletes;                          // paths
  int64_t complete_epochs = 0;
};

// Plans the recovery of `partition` from the listing of every archive folder. Corruption when
// the names contradict a single writer (overlapping epochs, an epoch with final files that
// lacks some, two files with the same index): the archive stops rather than guess.
Result<RecoveryPlan> PlanRecovery(int32_t partition, const std::vector<DirListing>& listing);

}  // namespace shopstream::archive
