// The archiver against in-memory fakes: every message once after a crash at each step of a
// run, dates and dead letters in their folders, outages waited out. Milliseconds, no Arrow.
#include "archive/archiver.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <map>
#include <sstream>

#include "archive/layout.h"
#include "bus/memory_source.h"
#include "event/json_codec.h"

namespace shopstream::archive {
namespace {

// A bus of several partitions; assignment on the first Poll, from the listener's offsets.
// Files in memory. `budget` operations succeed, then the "process" dies: a write in progress
// leaves half a file, and every later call fails for good. `outage` calls fail retryably.
class MemoryDestination : public Destination {
 public:
  std::map<std::string, std::string> files;
  int64_t operations = 0;
  int64_t budget = -1;  // -1: unlimited
  int outage = 0;

  Status MakeDirs(const std::string&) override { return Step(); }
  Result<std::vector<std::string>> List(const std::string& dir) override {
    if (Status s = Step(); !s.ok()) return s;
    std::vector<std::string> names;
    const std::string prefix = dir.empty() ? "" : dir + "/";
    for (const auto& [path, bytes] : files) {
      if (!path.starts_with(prefix)) continue;
      std::string rest = path.substr(prefix.size());
      std::string name = rest.substr(0, rest.find('/'));
      if (names.empty() || names.back() != name) names.push_back(name);
    }
    return names;
  }
  Status Write(const std::string& path, std::string_view bytes) override {
    if (Status s = Step(); !s.ok()) {
      if (crashed_now_) files[path] = std::string(bytes.substr(0, bytes.size() / 2));
      return s;
    }
    files[path] = std::string(bytes);
    return Status::Ok();
  }
  Status Rename(const std::string& from, const std::string& to) override {
    if (Status s = Step(); !s.ok()) return s;
    auto it = files.find(from);
    if (it == files.end()) return files.count(to) ? Status::Ok() : Status::NotFound(from);
    if (files.count(to)) return Status::IoError(to + " exists");
    files[to] = std::move(it->second);
    files.erase(it);
    return Status::Ok();
  }
  Status Delete(const std::string& path) override {
    if (Status s = Step(); !s.ok()) return s;
    files.erase(path);
    return Status::Ok();
  }
  const std::string& uri() const override { return uri_; }

 private:
  Status Step() {
    crashed_now_ = false;
    if (outage > 0) {
      --outage;
      return Status::Unavailable("destination down");
    }
    if (budget >= 0 && operations >= budget) {
      crashed_now_ = operations == budget;
      ++operations;
      return Status::Internal("killed");
    }
    ++operations;
    return Status::Ok();
  }
  bool crashed_now_ = false;
  std::string uri_ = "memory://";
};

// A text format: one line per row, "partition offset date-or-reason".
class TextFormat : public FileFormat {
  class Events : public EventFileBuilder {
   public:
    Status Add(const Event& e, int64_t, const BusPosition& p) override {
      out_ << p.partition << ' ' << p.offset << ' ' << e.event_time.substr(0, 10) << '\n';
      return Status::Ok();
    }
    Result<std::string> Finish() override { return out_.str() + "END\n"; }

   private:
    std::ostringstream out_;
  };
  class Letters : public DeadLetterFileBuilder {
   public:
    Status Add(const DeadLetter& d) override {
      out_ << d.position.partition << ' ' << d.position.offset << " dead\n";
      return Status::Ok();
    }
    Result<std::string> Finish() override { return out_.str() + "END\n"; }

   private:
    std::ostringstream out_;
  };

 public:
  std::unique_ptr<EventFileBuilder> NewEventFile() override { return std::make_unique<Events>(); }
  std::unique_ptr<DeadLetterFileBuilder> NewDeadLetterFile() override {
    return std::make_unique<Letters>();
  }
};

std::string Message(int i, const std::string& day) {
  Event e;
  e.event_time = day + " 10:00:" + (i % 60 < 10 ? "0" : "") + std::to_string(i % 60) + " UTC";
  e.event_type = "view";
  e.product_id = i;
  e.category_id = 1;
  e.price = 1.5;
  e.user_id = 7;
  char id[40];  // a UUID, as the event contract wants
  std::snprintf(id, sizeof id, "6b1f7e2c-0000-11ef-8000-%012d", i);
  e.id = id;
  std::string out;
  EncodeEventJson(e, &out);
  return out;
}

// Two partitions, events over three days, interleaved, and some dead letters.
std::map<int32_t, std::vector<std::string>> Bus() {
  std::map<int32_t, std::vector<std::string>> bus;
  const char* days[] = {"2019-11-01", "2019-11-02", "2019-11-03"};
  for (int i = 0; i < 60; ++i) bus[0].push_back(Message(i, days[(i / 7) % 3]));
  for (int i = 0; i < 45; ++i) {
    bus[1].push_back(i % 11 == 5   ? "{not json"
                     : i % 13 == 4 ? Message(i, "2019-02-30")  // not a date: dead letter
                                   : Message(i, days[i % 2]));
  }
  return bus;
}

ArchiverOptions Options() {
  ArchiverOptions o;
  o.roll_rows = 16;
  o.roll_after = std::chrono::hours(1);
  o.max_batch = 10;
  o.idle_exit = std::chrono::milliseconds(1);
  o.max_backoff = std::chrono::milliseconds(1);
  return o;
}

// Every row of the final files: (partition, offset) -> how many times, with its folder.
struct Rows {
  std::map<std::pair<int, int64_t>, int> count;
  std::map<std::pair<int, int64_t>, std::string> folder;
};
Rows FinalRows(const MemoryDestination& d) {
  Rows rows;
  for (const auto& [path, bytes] : d.files) {
    std::string dir = path.substr(0, path.find('/'));
    auto parsed = ParseFileName(path.substr(path.find('/') + 1));
    if (!parsed || parsed->state != FileState::kFinal) continue;
    EXPECT_TRUE(bytes.ends_with("END\n")) << path << " is cut short";
    std::istringstream in(bytes);
    int p;
    int64_t offset;
    std::string what;
    while (in >> p >> offset >> what) {
      rows.count[{p, offset}]++;
      rows.folder[{p, offset}] = dir;
      EXPECT_TRUE(dir == "_dead_letters" ? what == "dead" : dir == "event_date=" + what) << path;
      EXPECT_GE(offset, parsed->name.first);
      EXPECT_LE(offset, parsed->name.last);
    }
  }
  return rows;
}

void ExpectEachOnce(const MemoryDestination& d, const std::string& when) {
  Rows rows = FinalRows(d);
  auto bus = Bus();
  size_t expected = 0;
  for (const auto& [p, messages] : bus) {
    for (int64_t o = 0; o < std::ssize(messages); ++o) {
      EXPECT_EQ(rows.count[std::make_pair(static_cast<int>(p), o)], 1)
          << "partition " << p << " offset " << o << " " << when;
      ++expected;
    }
  }
  EXPECT_EQ(rows.count.size(), expected) << when;
  for (const auto& [path, bytes] : d.files) {
    if (path == "_stream.memory") continue;  // the destination's marker
    auto parsed = ParseFileName(path.substr(path.find('/') + 1));
    EXPECT_TRUE(parsed && parsed->state == FileState::kFinal) << path << " left behind " << when;
  }
  EXPECT_TRUE(d.files.contains("_stream.memory")) << when;
}

TEST(Archiver, ArchivesEveryMessageOnceByDate) {
  MemoryDestination dest;
  bus::MemorySource source(Bus());
  TextFormat format;
  Archiver archiver(source, dest, format, Options());
  std::atomic<bool> stop{false};
  ASSERT_TRUE(archiver.Run(stop).ok());
  ExpectEachOnce(dest, "");
  Rows rows = FinalRows(dest);
  EXPECT_EQ((rows.folder[{1, 5}]), "_dead_letters");
  EXPECT_EQ((rows.folder[{1, 4}]), "_dead_letters");  // 2019-02-30
  EXPECT_EQ((rows.folder[{1, 0}]), "event_date=2019-11-01");
  EXPECT_EQ((rows.folder[{0, 7}]), "event_date=2019-11-02");
  EXPECT_EQ(archiver.counters().archived + archiver.counters().dead_letters, 105);
  EXPECT_EQ(archiver.counters().dead_letters, 4 + 4);
  EXPECT_EQ(archiver.counters().open_rows, 0);
}

TEST(Archiver, AKillAtAnyStepLosesAndDuplicatesNothing) {
  // How many destination calls one whole run makes; then a run killed before each of them.
  MemoryDestination probe;
  {
    bus::MemorySource source(Bus());
    TextFormat format;
    Archiver archiver(source, probe, format, Options());
    std::atomic<bool> stop{false};
    ASSERT_TRUE(archiver.Run(stop).ok());
  }
  ASSERT_GT(probe.operations, 30);
  for (int64_t kill_at = 0; kill_at <= probe.operations; ++kill_at) {
    MemoryDestination dest;
    dest.budget = kill_at;
    {
      bus::MemorySource source(Bus());
      TextFormat format;
      Archiver archiver(source, dest, format, Options());
      std::atomic<bool> stop{false};
      archiver.Run(stop);  // killed: fails at call kill_at
    }
    dest.budget = -1;
    bus::MemorySource source(Bus());
    TextFormat format;
    Archiver archiver(source, dest, format, Options());
    std::atomic<bool> stop{false};
    Status s = archiver.Run(stop);
    ASSERT_TRUE(s.ok()) << "killed at call " << kill_at << ": " << s.ToString();
    ExpectEachOnce(dest, "after a kill at call " + std::to_string(kill_at));
  }
}

TEST(Archiver, OutagesAreWaitedOut) {
  MemoryDestination dest;
  dest.outage = 25;  // the first 25 calls fail: listing, then writes
  bus::MemorySource source(Bus());
  TextFormat format;
  Archiver archiver(source, dest, format, Options());
  std::atomic<bool> stop{false};
  ASSERT_TRUE(archiver.Run(stop).ok());
  ExpectEachOnce(dest, "after an outage");
  EXPECT_GE(archiver.counters().retries, 25);
}

TEST(Archiver, AnOutageLongerThanTheIdleLimitIsNotIdleness) {
  MemoryDestination dest;
  dest.outage = 8;  // the listing at assignment fails for longer than --idle-exit
  bus::MemorySource source(Bus(), {.empty_poll_after_assignment = true});
  TextFormat format;
  ArchiverOptions options = Options();
  options.idle_exit = std::chrono::milliseconds(50);
  options.max_backoff = std::chrono::milliseconds(20);
  Archiver archiver(source, dest, format, options);
  std::atomic<bool> stop{false};
  ASSERT_TRUE(archiver.Run(stop).ok());
  ExpectEachOnce(dest, "after an outage longer than the idle limit");
}

TEST(Archiver, RefusesADestinationThatHoldsAnotherStream) {
  MemoryDestination dest;
  dest.files["_stream.other"] = "";
  bus::MemorySource source(Bus());
  TextFormat format;
  Archiver archiver(source, dest, format, Options());
  std::atomic<bool> stop{false};
  Status s = archiver.Run(stop);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << s.ToString();
  EXPECT_NE(s.message().find("_stream.other"), std::string::npos) << s.ToString();
  EXPECT_EQ(dest.files.size(), 1u);
  EXPECT_EQ(archiver.counters().consumed, 0);
}

TEST(Archiver, ResumesWhereTheFilesEnd) {
  MemoryDestination dest;
  {
    bus::MemorySource source(Bus());
    TextFormat format;
    Archiver archiver(source, dest, format, Options());
    std::atomic<bool> stop{false};
    ASSERT_TRUE(archiver.Run(stop).ok());
  }
  const auto before = dest.files;
  bus::MemorySource source(Bus());
  TextFormat format;
  Archiver archiver(source, dest, format, Options());
  std::atomic<bool> stop{false};
  ASSERT_TRUE(archiver.Run(stop).ok());
  EXPECT_EQ(dest.files, before);  // nothing read again
  EXPECT_EQ(archiver.counters().consumed, 0);
}

TEST(Archiver, RefusesAFolderOfTheSameTopicBeforeItWasCreatedAgain) {
  MemoryDestination dest;
  TextFormat format;
  {
    bus::MemorySource source(Bus(), {.stream_id = "old-id"});
    Archiver archiver(source, dest, format, Options());
    std::atomic<bool> stop{false};
    ASSERT_TRUE(archiver.Run(stop).ok());
  }
  EXPECT_TRUE(dest.files.contains("_stream_id.old-id"));
  const auto before = dest.files;
  bus::MemorySource source(Bus(), {.stream_id = "new-id"});
  Archiver archiver(source, dest, format, Options());
  std::atomic<bool> stop{false};
  Status s = archiver.Run(stop);
  EXPECT_EQ(s.code(), StatusCode::kCorruption) << s.ToString();
  EXPECT_NE(s.message().find("with id old-id, but the topic of that name has id new-id"),
            std::string::npos)
      << s.ToString();
  EXPECT_EQ(archiver.counters().consumed, 0);
  EXPECT_EQ(dest.files, before);
}

TEST(Archiver, AStartAtTheEndIsSavedAndARestartResumesThere) {
  // --start latest: the first run reads nothing, yet a restart must not begin at a new end
  // and skip what arrived while it was stopped.
  auto bus = std::make_shared<bus::MemoryPartitions>(Bus());
  MemoryDestination dest;
  TextFormat format;
  {
    bus::MemorySource source(bus, {.start_latest = true});
    Archiver archiver(source, dest, format, Options());
    std::atomic<bool> stop{false};
    ASSERT_TRUE(archiver.Run(stop).ok());
    EXPECT_EQ(archiver.counters().consumed, 0);
  }
  EXPECT_TRUE(dest.files.contains(StartMarker({0, 60})));
  EXPECT_TRUE(dest.files.contains(StartMarker({1, 45})));
  bus->Append(0, {Message(60, "2019-11-04"), Message(61, "2019-11-04")});
  bus->Append(1, {Message(45, "2019-11-04")});
  bus::MemorySource source(bus, {.start_latest = true});
  Archiver archiver(source, dest, format, Options());
  std::atomic<bool> stop{false};
  ASSERT_TRUE(archiver.Run(stop).ok());
  EXPECT_EQ(archiver.counters().archived, 3);
  Rows rows = FinalRows(dest);
  EXPECT_EQ(rows.count.size(), 3u);
  EXPECT_EQ((rows.count[{0, 60}]), 1);
  EXPECT_EQ((rows.count[{0, 61}]), 1);
  EXPECT_EQ((rows.count[{1, 45}]), 1);
}

}  // namespace
}  // namespace shopstream::archive
