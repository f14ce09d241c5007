#include "archive/archiver.h"

#include <algorithm>
#include <thread>

#include "archive/layout.h"
#include "archive/recovery.h"
#include "common/log.h"
#include "common/retry.h"
#include "event/contract.h"
#include "event/event_time.h"

namespace shopstream::archive {

using std::chrono::milliseconds;

struct Archiver::Group {
  std::unique_ptr<EventFileBuilder> events;        // in event_date=... folders
  std::unique_ptr<DeadLetterFileBuilder> letters;  // in _dead_letters
  int64_t rows = 0;
};

struct Archiver::Epoch {
  int32_t partition = 0;
  int64_t first = 0;
  int64_t last = 0;
  int64_t messages = 0;
  int64_t events = 0;
  Clock::time_point opened;
  std::map<std::string, Group> groups;  // by folder
};

namespace {

std::string Range(int32_t partition, int64_t first, int64_t last) {
  return "partition " + std::to_string(partition) + " offsets " + std::to_string(first) + "-" +
         std::to_string(last);
}

// The reason a decoded event cannot be archived as one, or "".

}  // namespace

Archiver::Archiver(bus::MessageSource& source, Destination& destination, FileFormat& format,
                   ArchiverOptions options)
    : source_(source), destination_(destination), format_(format), options_(options) {}

Archiver::~Archiver() = default;

Status Archiver::WithRetry(const std::string& what, const std::atomic<bool>& stop,
                           const std::function<Status()>& attempt) {
  return RetryWithBackoff(what, stop, {.max = options_.max_backoff}, attempt, &counters_.retries);
}

Status Archiver::ClaimDestination(const std::atomic<bool>& stop) {
  const std::string stream = source_.stream_name();
  const std::string marker = StreamMarker(stream);
  if (stream.empty()) return Status::Internal("the source's name is not known yet");
  std::vector<std::string> names;
  Status s = WithRetry("listing " + destination_.uri(), stop, [&] {
    auto listed = destination_.List("");
    if (listed.ok()) names = std::move(listed).value();
    return listed.status();
  });
  if (!s.ok()) return s;
  bool claimed = false;
  const std::string id = source_.stream_id();
  const std::string id_marker = id.empty() ? "" : std::string(kStreamIdMarkerPrefix) + id;
  std::string stored_id;
  for (const std::string& name : names) {
    if (name.starts_with(kStreamIdMarkerPrefix)) {
      stored_id = name.substr(kStreamIdMarkerPrefix.size());  // checked once the name matches
      continue;
    }
    if (name == marker) {
      claimed = true;
    } else if (name == kStreamMarkerPrefix) {
      // Written by an older shopstream for an embedded log, whose id it did not record.
      return Status::InvalidArgument(
          destination_.uri() +
          " holds the archive of an embedded log that an older shopstream "
          "did not name (a marker " +
          name +
          " with no id), so it cannot "
          "tell whether that log is '" +
          stream + "': if it is, rename " + name + " to " + marker +
          "; otherwise give this log a folder of its own");
    } else if (name.starts_with(kStreamMarkerPrefix)) {
      return Status::InvalidArgument(destination_.uri() + " holds the archive of another stream (" +
                                     name + "), not of '" + stream +
                                     "': give each stream a folder of its own");
    }
  }
  if (!id.empty() && !stored_id.empty() && stored_id != id) {
    return Status::Corruption(
        destination_.uri() + " holds the archive of topic '" + stream + "' with id " + stored_id +
        ", but the topic of that name has id " + id +
        " now: it was deleted and created again, and the new topic's offsets would mix with the "
        "old one's; nothing was read. Archive the new topic into a folder of its own");
  }
  if (!claimed) {
    s = WithRetry("writing " + destination_.uri() + "/" + marker, stop,
                  [&] { return destination_.Write(marker, ""); });
    if (!s.ok()) return s;
  }
  if (!id.empty() && stored_id.empty()) {
    s = WithRetry("writing " + destination_.uri() + "/" + id_marker, stop,
                  [&] { return destination_.Write(id_marker, ""); });
    if (!s.ok()) return s;
  }
  claimed_ = true;
  return Status::Ok();
}

Status Archiver::Add(const bus::Message& m) {
  // Offsets of a partition only grow: what is below was archived or is held already.
  auto open = open_.find(m.partition);
  auto known = next_offset_.find(m.partition);
  const int64_t expected_min = open != open_.end()           ? open->second->last + 1
                               : known != next_offset_.end() ? known->second
                                                             : 0;
  if (m.offset < expected_min) {
    return Status::Internal("the bus returned " + Range(m.partition, m.offset, m.offset) +
                            ", which is already archived or held (next expected " +
                            std::to_string(expected_min) + ")");
  }
  std::unique_ptr<Epoch>& epoch = open_[m.partition];
  if (!epoch) {
    epoch = std::make_unique<Epoch>();
    epoch->partition = m.partition;
    epoch->first = m.offset;
    epoch->opened = Clock::now();
  }
  epoch->last = m.offset;
  epoch->messages++;
  counters_.open_rows++;
  const BusPosition position{m.partition, m.offset};

  Event event;
  std::string reason;
  ReasonCode code;
  int64_t time_us = 0;
  if (Status s = decoder_.Decode(m.payload, &event); !s.ok()) {
    reason = s.message();
    code = CodeOfStatus(s);
  } else if (Status c = ConformEvent(&event); !c.ok()) {
    reason = c.message();  // the event contract: the same dead letters as `process`
    code = CodeOfStatus(c);
  } else {
    time_us = ParseEventTimeMicros(event.event_time).value();  // the contract accepted it
  }
  if (!reason.empty()) {
    Group& group = epoch->groups[std::string(kDeadLetterDir)];
    if (!group.letters) group.letters = format_.NewDeadLetterFile();
    group.rows++;
    const size_t size = m.payload.size();
    if (size > kMaxDeadLetterBytes) {
      reason += " (message of " + std::to_string(size) + " bytes, first " +
                std::to_string(kMaxDeadLetterBytes) + " kept)";
    }
    return group.letters->Add(DeadLetter{position, std::move(reason),
                                         std::string(m.payload.substr(0, kMaxDeadLetterBytes)),
                                         std::move(code.code), std::move(code.field)});
  }
  Group& group = epoch->groups[DateDir(UtcDateOfMicros(time_us))];
  if (!group.events) group.events = format_.NewEventFile();
  group.rows++;
  epoch->events++;
  return group.events->Add(event, time_us, position);
}

Status Archiver::MakeDirs(const std::string& dir, const std::atomic<bool>& stop) {
  if (made_dirs_.contains(dir)) return Status::Ok();
  Status s = WithRetry("creating " + destination_.uri() + "/" + dir, stop,
                       [&] { return destination_.MakeDirs(dir); });
  if (s.ok()) made_dirs_.insert(dir);
  return s;
}

Status Archiver::Commit(Epoch& epoch, const std::atomic<bool>& stop) {
  const int count = static_cast<int>(epoch.groups.size());
  struct Planned {
    std::string dir;
    FileName name;
    std::string bytes;
  };
  std::vector<Planned> files;
  int index = 0;
  for (auto& [dir, group] : epoch.groups) {
    auto bytes = group.events ? group.events->Finish() : group.letters->Finish();
    if (!bytes.ok()) return bytes.status();
    files.push_back({dir, FileName{epoch.partition, epoch.first, epoch.last, ++index, count},
                     std::move(bytes).value()});
  }
  auto path = [](const Planned& f, FileState state) {
    return f.dir + "/" + FormatFileName(f.name, state);
  };
  // Round one: every file written in full under a temporary name, then made pending.
  for (const Planned& f : files) {
    if (Status s = MakeDirs(f.dir, stop); !s.ok()) return s;
    const std::string temp = path(f, FileState::kTemp), pending = path(f, FileState::kPending);
    Status s = WithRetry("writing " + destination_.uri() + "/" + temp, stop,
                         [&] { return destination_.Write(temp, f.bytes); });
    if (s.ok()) {
      s = WithRetry("renaming " + destination_.uri() + "/" + temp, stop,
                    [&] { return destination_.Rename(temp, pending); });
    }
    if (!s.ok()) return s;
  }
  // Round two: the epoch is decided; its files become visible under their final names.
  int64_t bytes = 0;
  for (const Planned& f : files) {
    const std::string pending = path(f, FileState::kPending), final = path(f, FileState::kFinal);
    Status s = WithRetry("renaming " + destination_.uri() + "/" + pending, stop,
                         [&] { return destination_.Rename(pending, final); });
    if (!s.ok()) return s;
    bytes += static_cast<int64_t>(f.bytes.size());
  }
  counters_.archived += epoch.events;
  counters_.dead_letters += epoch.messages - epoch.events;
  counters_.files += count;
  counters_.bytes += bytes;
  counters_.open_rows -= epoch.messages;
  next_offset_[epoch.partition] = epoch.last + 1;
  source_.Acknowledge({{epoch.partition, epoch.last + 1}});
  LogInfo("archived " + Range(epoch.partition, epoch.first, epoch.last) + ": " +
          std::to_string(epoch.events) + " events, " +
          std::to_string(epoch.messages - epoch.events) + " dead letters, " +
          std::to_string(count) + (count == 1 ? " file, " : " files, ") + std::to_string(bytes) +
          " bytes");
  return Status::Ok();
}

void Archiver::Drop(int32_t partition) {
  auto it = open_.find(partition);
  if (it != open_.end()) {
    counters_.open_rows -= it->second->messages;
    LogInfo("dropping what was read of " + Range(partition, it->second->first, it->second->last) +
            " and not yet archived (partition reassigned; it is read again)");
    open_.erase(it);
  }
  next_offset_.erase(partition);
}

OffsetMap Archiver::Recover(const std::vector<int32_t>& partitions, const std::atomic<bool>& stop) {
  recovered_ = true;
  if (!claimed_) {
    if (Status s = ClaimDestination(stop); !s.ok()) {
      if (listener_failure_.ok()) listener_failure_ = s;
      return {};  // Run() returns the failure before anything read is kept
    }
  }
  for (int32_t p : partitions) Drop(p);
  OffsetMap resume;
  std::vector<DirListing> listing;
  std::map<int32_t, int64_t> starts;  // where `--start latest` began, by partition
  Status s = WithRetry("listing " + destination_.uri(), stop, [&] {
    listing.clear();
    starts.clear();
    auto root = destination_.List("");
    if (!root.ok()) return root.status();
    for (const std::string& dir : *root) {
      if (auto mark = ParseStartMarker(dir)) starts[mark->partition] = mark->offset;
      if (!IsArchiveDir(dir)) continue;
      auto names = destination_.List(dir);
      if (!names.ok()) return names.status();
      listing.push_back({dir, std::move(names).value()});
      made_dirs_.insert(dir);
    }
    return Status::Ok();
  });
  for (int32_t p : partitions) {
    if (!s.ok()) break;
    auto plan = PlanRecovery(p, listing);
    if (!plan.ok()) {
      s = Status::Corruption(destination_.uri() + ": " + plan.status().message());
      break;
    }
    for (const std::string& path : plan->deletes) {
      s = WithRetry("deleting " + destination_.uri() + "/" + path, stop,
                    [&] { return destination_.Delete(path); });
      if (!s.ok()) break;
    }
    for (const auto& rename : plan->renames) {
      if (!s.ok()) break;
      // Not a structured binding: clang before C++20's P1091 refuses one in a lambda.
      s = WithRetry("renaming " + destination_.uri() + "/" + rename.first, stop,
                    [&] { return destination_.Rename(rename.first, rename.second); });
    }
    if (!s.ok()) break;
    std::string what = "partition " + std::to_string(p) + ": ";
    if (plan->next_offset) {
      resume[p] = *plan->next_offset;
      next_offset_[p] = *plan->next_offset;
      what += std::to_string(plan->complete_epochs) + " epochs archived, resuming at offset " +
              std::to_string(*plan->next_offset);
    } else if (auto start = starts.find(p); start != starts.end()) {
      // Began at the end of the partition (--start latest) and archived nothing since.
      resume[p] = start->second;
      next_offset_[p] = start->second;
      what += "nothing archived yet, resuming at offset " + std::to_string(start->second) +
              ", where the first run began (" + StartMarker({p, start->second}) + ")";
    } else {
      what += "nothing archived yet";
    }
    if (!plan->renames.empty() || !plan->deletes.empty()) {
      what += " (a previous run had stopped mid-commit: " + std::to_string(plan->renames.size()) +
              " files finished, " + std::to_string(plan->deletes.size()) + " removed)";
    }
    LogInfo(what);
  }
  if (!s.ok() && listener_failure_.ok()) listener_failure_ = s;
  recovered_ = true;
  return resume;
}

Status Archiver::SaveStarts(const std::atomic<bool>& stop) {
  for (const auto& [partition, offset] : source_.TakeStartPositions()) {
    const std::string marker = StartMarker({partition, offset});
    Status s = WithRetry("writing " + destination_.uri() + "/" + marker, stop,
                         [&] { return destination_.Write(marker, ""); });
    if (!s.ok()) return s;
    next_offset_[partition] = offset;
    LogInfo("partition " + std::to_string(partition) + ": starting at offset " +
            std::to_string(offset) + " (its end); a restart resumes there");
  }
  return Status::Ok();
}

std::optional<Archiver::Clock::time_point> Archiver::NextRollDue() const {
  std::optional<Clock::time_point> due;
  for (const auto& [p, epoch] : open_) {
    auto at = epoch->opened + options_.roll_after;
    if (!due || at < *due) due = at;
  }
  return due;
}

Status Archiver::CommitDue(const std::atomic<bool>& stop, bool all) {
  const auto now = Clock::now();
  for (auto it = open_.begin(); it != open_.end();) {
    Epoch& epoch = *it->second;
    if (all || epoch.messages >= options_.roll_rows || now - epoch.opened >= options_.roll_after) {
      if (Status s = Commit(epoch, stop); !s.ok()) return s;
      it = open_.erase(it);
    } else {
      ++it;
    }
  }
  return Status::Ok();
}

Status Archiver::Run(const std::atomic<bool>& stop) {
  source_.SetAssignmentListener(
      [&](const std::vector<int32_t>& partitions) { return Recover(partitions, stop); });
  source_.SetRevocationListener([&](const std::vector<int32_t>& partitions) {
    for (int32_t p : partitions) Drop(p);
  });
  struct Detach {
    bus::MessageSource& source;
    ~Detach() {
      source.SetAssignmentListener(nullptr);
      source.SetRevocationListener(nullptr);
    }
  } detach{source_};

  if (!source_.stream_name().empty()) {
    if (Status s = ClaimDestination(stop); !s.ok()) return stop ? Status::Ok() : s;
  }
  auto last_activity = Clock::now();
  Status result;
  while (!stop) {
    milliseconds wait{100};
    if (auto due = NextRollDue()) {
      auto left = std::chrono::duration_cast<milliseconds>(*due - Clock::now());
      wait = std::clamp(left, milliseconds(1), wait);
    }
    batch_.Clear();
    Status polled = source_.PollInto(options_.max_batch, wait, &batch_);
    if (!listener_failure_.ok()) return stop ? Status::Ok() : listener_failure_;
    // Time spent waiting out an outage (in a commit or in the listener's recovery) is not
    // idle time: only polls that keep coming back empty count towards --idle-exit.
    bool busy = recovered_;
    recovered_ = false;
    if (!polled.ok()) {
      if (!polled.retryable()) return polled;
      counters_.retries++;
      LogWarn("reading the bus failed, retrying: " + polled.ToString());
      std::this_thread::sleep_for(milliseconds(200));
      continue;
    }
    if (stop) break;  // what this poll returned is read again next time
    if (Status s = SaveStarts(stop); !s.ok()) return stop ? Status::Ok() : s;
    for (const bus::Message& m : batch_) {
      if (Status s = Add(m); !s.ok()) return s;
    }
    counters_.consumed += static_cast<int64_t>(batch_.size());
    if (!batch_.empty()) {
      busy = true;
      counters_.lag = source_.Lag();
    }
    const int64_t files_before = counters_.files;
    if (Status s = CommitDue(stop, false); !s.ok()) return stop ? Status::Ok() : s;
    if (busy || counters_.files != files_before) last_activity = Clock::now();
    if (options_.idle_exit.count() > 0 && Clock::now() - last_activity >= options_.idle_exit) {
      LogInfo("nothing new for " + std::to_string(options_.idle_exit.count()) +
              " ms, committing and stopping (--idle-exit)");
      break;
    }
  }
  // A clean stop: what is open is committed, with one attempt per step when stopped by a
  // signal (an outage then leaves it to the next start's recovery).
  result = CommitDue(stop, true);
  counters_.lag = source_.Lag();
  return stop && result.retryable() ? Status::Ok() : result;
}

}  // namespace shopstream::archive
