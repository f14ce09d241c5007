#include "verify/verify.h"

#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <unordered_set>
#include <vector>

#include "common/json_writer.h"
#include "common/uri.h"
#include "endpoints/open_bus.h"
#include "endpoints/open_store.h"
#include "event/json_codec.h"
#include "verify/id_lookup.h"

namespace shopstream::verify {
namespace {

constexpr size_t kMaxReasons = 50;  // distinct dead-letter reasons listed; the rest as "(other)"

struct Item {
  int32_t partition;
  int64_t offset;
  std::string id;  // empty when the payload does not decode
};

class Verifier {
 public:
  Verifier(IdLookup& raw, IdLookup& rows, ProcessedChecks& checks)
      : raw_(raw), rows_(rows), checks_(checks) {}

  Status Chunk(const std::vector<Item>& items, const std::string& stream, VerifyReport* report) {
    // Dead letters of the chunk's offset range in each partition.
    std::map<int32_t, std::pair<int64_t, int64_t>> ranges;
    for (const Item& item : items) {
      auto [it, added] = ranges.try_emplace(item.partition, item.offset, item.offset);
      it->second.first = std::min(it->second.first, item.offset);
      it->second.second = std::max(it->second.second, item.offset);
    }
    std::map<int32_t, std::map<int64_t, ProcessedChecks::DeadLetterSeen>> dead;
    for (const auto& [partition, range] : ranges) {
      auto found = checks_.DeadLetters(stream, partition, range.first, range.second);
      if (!found.ok()) return found.status();
      dead[partition] = std::move(found).value();
    }
    std::vector<std::string> ids;
    for (const Item& item : items) {
      if (!item.id.empty()) ids.push_back(item.id);
    }
    auto in_raw = raw_.Present(ids);
    if (!in_raw.ok()) return in_raw.status();
    auto in_rows = rows_.Present(ids);
    if (!in_rows.ok()) return in_rows.status();
    for (const Item& item : items) {
      ++report->messages;
      const auto& of_partition = dead[item.partition];
      if (auto d = of_partition.find(item.offset); d != of_partition.end()) {
        // Replayed: its (fixed) row went to the processed store with the letter's mark, in one
        // transaction; the message on the bus is still the broken one.
        if (d->second.replayed) {
          ++report->replayed;
          continue;
        }
        ++report->dead_letters;
        auto& reasons = report->dead_letter_reasons;
        if (reasons.contains(d->second.reason) || reasons.size() < kMaxReasons) {
          ++reasons[d->second.reason];
        } else {
          ++reasons["(other)"];
        }
        continue;
      }
      const bool raw = !item.id.empty() && in_raw->contains(item.id);
      const bool processed = !item.id.empty() && in_rows->contains(item.id);
      report->raw_missing += !raw;
      report->processed_missing += !processed;
      if (raw && processed) {
        ++report->stored;
      } else {
        ++report->missing;
      }
    }
    return Status::Ok();
  }

 private:
  IdLookup& raw_;
  IdLookup& rows_;
  ProcessedChecks& checks_;
};

}  // namespace

Result<VerifyReport> Verify(const VerifyOptions& options) {
  // The stores first: a store that is not shopstream's is refused before the bus is read.
  auto db = endpoints::OpenSqlDatabaseForReading(options.processed);
  if (!db.ok()) return db.status();
  std::shared_ptr<sql::SqlDatabase> shared = std::move(db).value();
  auto checks = ProcessedChecks::Open(shared);
  if (!checks.ok()) return checks.status();
  auto rows = OpenRowsLookup(shared);
  if (!rows.ok()) return rows.status();
  auto raw = OpenRawLookup(options.raw);
  if (!raw.ok()) return raw.status();

  // A group of its own, never committed to: verify moves no one's offsets.
  endpoints::SourceOptions source_options;
  source_options.group =
      "shopstream-verify-" + std::to_string(::getpid()) + "-" +
      std::to_string(std::chrono::steady_clock::now().time_since_epoch().count());
  source_options.require_topic = true;
  source_options.connect_timeout = options.connect_timeout;
  // The embedded log's source waits for a log to appear; a missing one has nothing to verify.
  if (auto uri = ParseUri(options.bus); uri.ok() && uri->scheme == "sqlite") {
    std::error_code ec;
    if (!std::filesystem::exists(uri->path, ec)) {
      return Status::NotFound(uri->text + ": the log " + uri->path + " does not exist");
    }
  }
  auto source = endpoints::OpenSource(options.bus, source_options);
  if (!source.ok()) return source.status();
  bool assigned = false;
  (*source)->SetAssignmentListener([&](const std::vector<int32_t>& partitions) {
    assigned = true;
    OffsetMap start;
    for (int32_t p : partitions) start[p] = options.since;
    return start;
  });

  VerifyReport report;
  Verifier verifier(**raw, **rows, **checks);
  EventDecoder decoder;
  Event event;
  std::vector<Item> items;
  auto idle_since = std::chrono::steady_clock::now();
  for (;;) {
    auto batch = (*source)->Poll(options.chunk, std::chrono::milliseconds(1000));
    if (!batch.ok()) {
      if (!batch.status().retryable()) return batch.status();
    } else if (!batch->messages().empty()) {
      idle_since = std::chrono::steady_clock::now();
      items.clear();
      for (const bus::Message& m : batch->messages()) {
        if (m.offset < options.since) continue;
        if (!options.partitions.empty() && !options.partitions.contains(m.partition)) continue;
        Item item{m.partition, m.offset, {}};
        if (decoder.Decode(m.payload, &event).ok()) item.id = event.id;
        items.push_back(std::move(item));
      }
      report.stream = (*source)->stream_name();
      if (!items.empty()) {
        if (Status s = verifier.Chunk(items, report.stream, &report); !s.ok()) return s;
      }
      continue;
    }
    // Nothing arrived: the end, once partitions are assigned and none has messages left.
    if (batch.ok() && assigned && (*source)->Lag() == 0) break;
    if (std::chrono::steady_clock::now() - idle_since > options.idle_timeout) {
      return Status::Unavailable("bus '" + options.bus + "': no message and no end of the " +
                                 "partitions within " +
                                 std::to_string(options.idle_timeout.count() / 1000) + " s");
    }
  }
  auto rollups = (*checks)->CheckRollups();
  if (!rollups.ok()) return rollups.status();
  report.rollups = *rollups;
  return report;
}

std::string SummaryLine(const VerifyReport& r) {
  std::string line = r.ok() ? "verify: OK: " : "verify: FAILED: ";
  line += std::to_string(r.messages) + " messages: " + std::to_string(r.stored) +
          " stored once in raw and processed, " +
          (r.replayed > 0 ? std::to_string(r.replayed) + " replayed into processed, " : "") +
          std::to_string(r.dead_letters) + " dead letters, " + std::to_string(r.missing) +
          " missing (raw " + std::to_string(r.raw_missing) + ", processed " +
          std::to_string(r.processed_missing) + "), " + std::to_string(r.duplicated()) +
          " duplicated; rollups " + (r.rollups.ok() ? "equal" : "differ from") +
          " the recount of " + std::to_string(r.rollups.rows) + " rows (" +
          std::to_string(r.rollups.tables_off) + " of " + std::to_string(r.rollups.tables_checked) +
          " tables, " + std::to_string(r.rollups.groups_off) + " hourly groups off)";
  return line;
}

std::string JsonReport(const VerifyReport& r) {
  std::string out = "{\"ok\": ";
  out += r.ok() ? "true" : "false";
  out += ", \"stream\": ";
  AppendJsonString(out, r.stream);
  auto field = [&](const char* name, int64_t value) {
    out += ", \"";
    out += name;
    out += "\": " + std::to_string(value);
  };
  field("messages", r.messages);
  field("stored_once", r.stored);
  field("missing", r.missing);
  field("raw_missing", r.raw_missing);
  field("processed_missing", r.processed_missing);
  field("duplicated", r.duplicated());
  field("replayed", r.replayed);
  field("dead_letters", r.dead_letters);
  out += ", \"dead_letter_reasons\": {";
  bool first = true;
  for (const auto& [reason, count] : r.dead_letter_reasons) {
    if (!first) out += ", ";
    first = false;
    AppendJsonString(out, reason);
    out += ": " + std::to_string(count);
  }
  out += "}, \"rollups\": {\"ok\": ";
  out += r.rollups.ok() ? "true" : "false";
  out += ", \"rows\": " + std::to_string(r.rollups.rows) +
         ", \"tables_checked\": " + std::to_string(r.rollups.tables_checked) +
         ", \"tables_off\": " + std::to_string(r.rollups.tables_off) +
         ", \"groups_checked\": " + std::to_string(r.rollups.groups_checked) +
         ", \"groups_off\": " + std::to_string(r.rollups.groups_off) +
         ", \"overcounted\": " + std::to_string(r.rollups.overcounted) +
         ", \"undercounted\": " + std::to_string(r.rollups.undercounted) + "}}";
  return out;
}

}  // namespace shopstream::verify
