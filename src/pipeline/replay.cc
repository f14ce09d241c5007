#include "pipeline/replay.h"

#include <chrono>
#include <ctime>
#include <random>
#include <thread>

#include "event/json_codec.h"
#include "event/uuid.h"

namespace shopstream {
namespace {

using Clock = std::chrono::steady_clock;

constexpr size_t kMaxBatch = 5000;  // messages per Publish call when running flat out

// Seconds since the epoch of "YYYY-MM-DD HH:MM:SS...", or -1.
double ParseEventSeconds(const std::string& t) {
  std::tm tm{};
  if (t.size() < 19 || std::sscanf(t.c_str(), "%d-%d-%d %d:%d:%d", &tm.tm_year, &tm.tm_mon,
                                   &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec) != 6) {
    return -1;
  }
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  double seconds = static_cast<double>(timegm(&tm));
  if (t.size() > 20 && t[19] == '.') seconds += std::atof(t.c_str() + 19);
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

Replayer::Replayer(EventFeed& feed, Publisher& publisher, ReplayOptions options)
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

Status Replayer::RunInFileOrder(const std::atomic<bool>& stop) {
  using Pacing = ReplayOptions::Pacing;
  Uuid1Generator ids;
  std::vector<std::string> payloads;
  payloads.reserve(kMaxBatch);
  const auto start = Clock::now();
  double first_event_seconds = -1;
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
      double t = ParseEventSeconds(e.event_time);
      if (first_event_seconds < 0) first_event_seconds = t;
      if (t > first_event_seconds) {
        due = start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(
                          (t - first_event_seconds) / options_.speedup));
      }
    } else {
      if (options_.pacing == Pacing::kRate) {
        due = start + std::chrono::duration_cast<Clock::duration>(
                          std::chrono::duration<double>(sent_or_queued / options_.rate));
      }
      e.event_time = NowEventTime();
    }
    // Before waiting for a row that is not due yet, send what is queued.
    if (due > Clock::now() + std::chrono::milliseconds(2)) {
      if (Status s = Send(payloads); !s.ok()) return s;
      last_send = Clock::now();
      SleepUntil(due, stop);
      if (stop) break;
    }
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

}  // namespace shopstream
