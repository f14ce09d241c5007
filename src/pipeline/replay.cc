#include "pipeline/replay.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <ctime>
#include <optional>
#include <random>
#include <thread>

#include "common/log.h"
#include "common/text.h"
#include "event/contract.h"
#include "event/json_codec.h"
#include "event/uuid.h"

namespace shopstream::pipeline {
namespace {

using Clock = std::chrono::steady_clock;

constexpr size_t kMaxBatch = 5000;  // messages per Publish call when running flat out

// Seconds since the epoch of an event time the contract accepts; nullopt for any other.
std::optional<double> EventSeconds(const std::string& text) {
  auto t = ParseEventTime(text);
  if (!t.ok()) return std::nullopt;
  std::tm tm{};
  tm.tm_year = t->year - 1900;
  tm.tm_mon = t->month - 1;
  tm.tm_mday = t->day;
  tm.tm_hour = t->hour;
  tm.tm_min = t->minute;
  tm.tm_sec = t->second;
  double seconds = static_cast<double>(timegm(&tm));
  if (text.size() > 20 && text[19] == '.') seconds += std::atof(text.c_str() + 19);
  return seconds;
}

void SleepUntil(Clock::time_point when, const std::atomic<bool>& stop) {
  while (!stop && Clock::now() < when) {
    auto left = when - Clock::now();
    std::this_thread::sleep_for(std::min<Clock::duration>(left, std::chrono::milliseconds(50)));
  }
}

}  // namespace

std::string NowEventTime() {
  auto now = std::chrono::system_clock::now();
  auto micros =
      std::chrono::duration_cast<std::chrono::microseconds>(now.time_since_epoch()).count();
  std::time_t seconds = static_cast<std::time_t>(micros / 1'000'000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char buf[40];
  size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
  std::snprintf(buf + n, sizeof buf - n, ".%06lld", static_cast<long long>(micros % 1'000'000));
  return buf;
}

Replayer::Replayer(EventFeed& feed, bus::Publisher& publisher, ReplayOptions options)
    : feed_(feed), publisher_(publisher), options_(options) {}

Status Replayer::Run(const std::atomic<bool>& stop) {
  Status s =
      options_.pacing == ReplayOptions::Pacing::kSeed ? RunSeedPacing(stop) : RunInFileOrder(stop);
  Status flushed = publisher_.Flush();
  return s.ok() ? flushed : s;
}

Status Replayer::Send(std::vector<std::string>& payloads) {
  if (payloads.empty()) return Status::Ok();
  Status s = publisher_.Publish(payloads);
  if (s.ok()) counters_.produced += static_cast<int64_t>(payloads.size());
  payloads.clear();
  return s;
}

Status Replayer::RunSeedPacing(const std::atomic<bool>& stop) {
  std::mt19937_64 rng(options_.seed ? options_.seed : std::random_device{}());
  // Like the seed (pandas read_csv, then df.sample), keep the rows in memory; a reservoir
  // bounds memory for very large files while keeping every row equally likely.
  std::vector<Event> pool;
  int64_t seen = 0;
  Event e;
  while (!stop) {
    auto more = feed_.Next(&e);
    if (!more.ok()) return more.status();
    if (!more.value()) break;
    ++seen;
    if (pool.size() < options_.seed_pool) {
      pool.push_back(std::move(e));
    } else if (auto j = std::uniform_int_distribution<int64_t>(0, seen - 1)(rng);
               j < static_cast<int64_t>(pool.size())) {
      pool[j] = std::move(e);
    }
  }
  if (pool.empty()) return stop ? Status::Ok() : Status::InvalidArgument("the input holds no rows");

  Uuid1Generator ids;
  std::vector<std::string> payloads;
  std::uniform_int_distribution<size_t> pick(0, pool.size() - 1);
  while (!stop && (options_.count < 0 || counters_.produced < options_.count)) {
    int n = std::uniform_int_distribution<int>(1, 10)(rng);
    if (options_.count >= 0)
      n = static_cast<int>(std::min<int64_t>(n, options_.count - counters_.produced));
    const std::string now = NowEventTime();
    for (int i = 0; i < n; ++i) {
      Event out = pool[pick(rng)];
      out.event_time = now;
      out.id = ids.Next();
      EncodeEventJson(out, &payloads.emplace_back());
    }
    if (Status s = Send(payloads); !s.ok()) return s;
    if (options_.count >= 0 && counters_.produced >= options_.count) break;
    SleepUntil(Clock::now() + std::chrono::seconds(std::uniform_int_distribution<int>(1, 3)(rng)),
               stop);
  }
  return Status::Ok();
}

std::optional<double> OriginalPace::Due(const std::string& event_time) {
  const std::optional<double> t = EventSeconds(event_time);
  if (!t) return std::nullopt;
  if (!first_) first_ = *t;
  double due = (*t - *first_ - skipped_) / speedup_;
  // A jump either way by more than the gap moves the replay clock, so that the rows after it
  // are paced again from where the replay stands.
  if (std::abs(due - last_due_) > max_gap_) {
    if (!jump_reported_) {
      LogWarn("event time jumps by " + std::to_string(static_cast<int64_t>(due - last_due_)) +
              " s (after --speedup) to " + QuoteValue(event_time) +
              "; the replay clock moves on instead of waiting (--max-gap; reported once)");
      jump_reported_ = true;
    }
    skipped_ += (due - last_due_) * speedup_;
    due = last_due_;
  }
  last_due_ = std::max(last_due_, due);
  return due;
}

Status Replayer::RunInFileOrder(const std::atomic<bool>& stop) {
  using Pacing = ReplayOptions::Pacing;
  Uuid1Generator ids;
  std::vector<std::string> payloads;
  payloads.reserve(kMaxBatch);
  const auto start = Clock::now();
  OriginalPace pace(options_.speedup, options_.max_gap_seconds);
  int64_t sent_or_queued = 0;
  auto last_send = Clock::now();
  bool rewound_empty = false;
  Event e;
  while (!stop && (options_.count < 0 || sent_or_queued < options_.count)) {
    auto more = feed_.Next(&e);
    if (!more.ok()) return more.status();
    if (!more.value()) {
      if (!options_.loop || rewound_empty) break;
      if (Status s = feed_.Rewind(); !s.ok()) return s;
      rewound_empty = true;  // a second end in a row without a row means an empty file
      continue;
    }
    rewound_empty = false;

    Clock::time_point due = start;
    if (options_.pacing == Pacing::kSpeedup) {
      if (auto due_seconds = pace.Due(e.event_time)) {
        due = start + std::chrono::duration_cast<Clock::duration>(
                          std::chrono::duration<double>(*due_seconds));
      }
    } else if (options_.pacing == Pacing::kRate) {
      due = start + std::chrono::duration_cast<Clock::duration>(
                        std::chrono::duration<double>(sent_or_queued / options_.rate));
    }
    // Before waiting for a row that is not due yet, send what is queued.
    if (due > Clock::now() + std::chrono::milliseconds(2)) {
      if (Status s = Send(payloads); !s.ok()) return s;
      last_send = Clock::now();
      SleepUntil(due, stop);
      if (stop) break;
    }
    // Stamped when due, as it goes out, not when it was read.
    if (options_.pacing != Pacing::kSpeedup) e.event_time = NowEventTime();
    e.id = ids.Next();
    EncodeEventJson(e, &payloads.emplace_back());
    ++sent_or_queued;
    if (payloads.size() >= kMaxBatch || Clock::now() - last_send > std::chrono::milliseconds(50)) {
      if (Status s = Send(payloads); !s.ok()) return s;
      last_send = Clock::now();
    }
  }
  return Send(payloads);
}

}  // namespace shopstream::pipeline
