// Replaying dead letters (`shopstream deadletters replay`): their messages go through today's
// decoder, contract and cleaning (BatchBuilder, with today's policies), and the processed store
// commits, in one transaction, the rows that now pass (a stored id is never counted again), their
// rollups and people, and each dead letter's outcome: replayed, or failed again with the new
// reason (store::ProcessedBatch::replayed). A kill at any point leaves every dead letter either
// replayed with its row or open without it, so a rerun stores each message once.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "common/status.h"
#include "event/contract.h"
#include "pipeline/batch_builder.h"
#include "store/store.h"

namespace shopstream::pipeline {

struct ReplayItem {
  int32_t partition = 0;
  int64_t offset = 0;
  std::string payload;  // the stored message, or an edited one (replay --from)
};

struct DeadLetterReplayOptions {
  LongText long_text = LongText::kRefuse;
  int max_tries = 3;     // a dead letter failing its max_tries-th replay is quarantined
  bool dry_run = false;  // decode and clean only: what would pass, nothing written
};

struct DeadLetterReplayCounts {
  int64_t tried = 0;
  int64_t stored = 0;  // passed and committed (or would be, on a dry run)
  int64_t failed = 0;
  std::map<std::string, int64_t> failed_by_code;
};

class DeadLetterReplayer {
 public:
  DeadLetterReplayer(store::ProcessedStore& store, DeadLetterReplayOptions options);

  // Replays `items`, dead letters of `stream`, in one commit (one per row of a part the store
  // refuses: those rows stay dead letters, store.refused). Outages are the caller's to retry:
  // nothing of a failed call was committed.
  Status Replay(const std::string& stream, const std::vector<ReplayItem>& items);

  const DeadLetterReplayCounts& counts() const { return counts_; }
  // "long-text=truncate", or "" with the default policies: recorded with each replayed letter.
  std::string PolicyText() const;

 private:
  Status CommitEachAlone(store::ProcessedBatch& batch);
  void Count(const store::ProcessedBatch& batch);

  store::ProcessedStore& store_;
  DeadLetterReplayOptions options_;
  BatchBuilder builder_;
  DeadLetterReplayCounts counts_;
};

}  // namespace shopstream::pipeline
