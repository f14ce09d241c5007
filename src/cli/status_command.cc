// `shopstream status --processed URI [--from BUS] [--json]`: a pipeline's offsets, lag, last
// commit, dead letters and rows as its processed store keeps them, without the dashboard (as
// kafka-consumer-groups --describe does for a group).
#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <string>

#include "cli/cli_util.h"
#include "cli/commands.h"
#include "cli/common_options.h"
#include "cli/reach.h"
#include "common/json_writer.h"
#include "common/log.h"
#include "common/text.h"
#include "common/uri.h"
#include "endpoints/open_store.h"
#include "kafka/kafka_end_offsets.h"
#include "sqlite/sqlite_log.h"

namespace shopstream::cli {
namespace {

struct StatusArgs {
  std::string processed;
  std::string from;
  bool json = false;
  std::string connect_timeout = "10s";
};

// The bus's end offsets of `args.from` (Kafka or the embedded log) and, in `*topic`, the stream
// name the store keeps its offsets under; none when it is not given or cannot be read (said as
// a warning: the store's side still stands).
std::map<int32_t, int64_t> BusEnds(const StatusArgs& args, std::string* topic) {
  if (args.from.empty()) return {};
  if (Status s = CheckScheme(args.from, {"kafka", "sqlite"}); !s.ok()) ExitBadInput(s);
  auto uri = ParseUri(args.from);
  if (!uri.ok()) ExitBadInput(uri.status());
  if (uri->scheme == "sqlite") {
    auto log = sqlite::ReadSqliteLogEnd(uri->path);
    if (!log.ok()) {
      LogWarn("--from " + uri->text +
              ": the log's end offset is not known: " + log.status().message());
      return {};
    }
    *topic = log->stream;
    return {{0, log->end_offset}};
  }
  *topic = uri->path;
  auto ends = kafka::KafkaEndOffsets(*uri, ConnectTimeout(args.connect_timeout));
  if (!ends.ok()) {
    LogWarn(uri->text +
            ": the bus's end offsets are not known: " + WithLikelyCause(ends.status().message()));
    return {};
  }
  return std::move(ends).value();
}

void RunStatus(const StatusArgs& args) {
  std::string topic;
  const std::map<int32_t, int64_t> ends = BusEnds(args, &topic);
  // Usage errors (exit 2) before the store is reached: the scheme, the URI, a missing file.
  if (Status s = CheckScheme(args.processed, {"sqlite", "mysql", "postgres"}); !s.ok()) {
    ExitBadInput(s);
  }
  auto uri = ParseUri(args.processed);
  if (!uri.ok()) ExitBadInput(uri.status());
  if (uri->scheme == "sqlite" && !std::filesystem::exists(uri->path)) {
    ExitBadInput(
        Status::NotFound("--processed " + uri->text + ": " + uri->path + " does not exist"));
  }
  Result<sql::StoreStatus> read = Status::Internal("not read");
  ReachOrExit("--processed " + RedactUri(args.processed), ConnectTimeout(args.connect_timeout),
              [&] {
                read = endpoints::ReadProcessedStoreStatus(args.processed);
                return read.status();
              });
  const sql::StoreStatus& st = *read;
  auto end_of = [&](const sql::PartitionOffset& o) -> std::optional<int64_t> {
    if (o.stream != topic) return std::nullopt;
    auto it = ends.find(o.partition);
    return it == ends.end() ? std::nullopt : std::optional<int64_t>(it->second);
  };
  if (args.json) {
    JsonWriter w;
    w.BeginObject().Key("store").String(RedactUri(args.processed)).Key("rows").Int(st.rows);
    w.Key("streams").BeginArray();
    for (const sql::StreamCounters& s : st.streams) {
      w.BeginObject().Key("stream").String(s.stream).Key("batches").Int(s.batches);
      w.Key("events").Int(s.events).Key("dead_letters").Int(s.dead_letters);
      w.Key("last_commit");
      s.updated_at.empty() ? w.Null() : w.String(s.updated_at + "Z");
      w.Key("reported_lag");
      s.lag ? w.Int(*s.lag) : w.Null();
      w.Key("partitions").BeginArray();
      for (const sql::PartitionOffset& o : st.offsets) {
        if (o.stream != s.stream) continue;
        const auto end = end_of(o);
        w.BeginObject().Key("partition").Int(o.partition).Key("stored_offset").Int(o.next_offset);
        w.Key("end_offset");
        end ? w.Int(*end) : w.Null();
        w.Key("lag");
        end ? w.Int(*end - o.next_offset) : w.Null();
        w.EndObject();
      }
      w.EndArray().Key("dead_letters_by_reason").BeginObject();
      for (const sql::DeadLetterReason& d : st.dead_letters) {
        if (d.stream == s.stream) w.Key(d.reason).Int(d.count);
      }
      w.EndObject().EndObject();
    }
    w.EndArray().EndObject();
    std::printf("%s\n", w.str().c_str());
    return;
  }
  std::printf("store %s: %s rows\n", EscapeControls(RedactUri(args.processed)).c_str(),
              Grouped(st.rows).c_str());
  for (const sql::StreamCounters& s : st.streams) {
    std::printf("\nstream %s: %s events in %s batches, %s dead letters, last commit %s UTC\n",
                EscapeControls(s.stream).c_str(), Grouped(s.events).c_str(),
                Grouped(s.batches).c_str(), Grouped(s.dead_letters).c_str(),
                s.updated_at.empty() ? "never" : s.updated_at.c_str());
    std::printf("  %-10s %15s %15s %12s\n", "partition", "stored offset", "end offset", "lag");
    for (const sql::PartitionOffset& o : st.offsets) {
      if (o.stream != s.stream) continue;
      const auto end = end_of(o);
      std::printf("  %-10d %15s %15s %12s\n", o.partition, Grouped(o.next_offset).c_str(),
                  end ? Grouped(*end).c_str() : "?",
                  end ? Grouped(*end - o.next_offset).c_str() : "?");
    }
    for (const sql::DeadLetterReason& d : st.dead_letters) {
      if (d.stream != s.stream) continue;
      std::printf("  dead letters: %s %s\n", Grouped(d.count).c_str(),
                  QuoteValue(d.reason, 120).c_str());
    }
  }
  if (st.streams.empty()) std::printf("no batch committed yet\n");
}

}  // namespace

void RegisterStatusCommand(CLI::App& app) {
  auto args = std::make_shared<StatusArgs>();
  auto* cmd = app.add_subcommand(
      "status",
      "Show a pipeline's state as its processed store keeps it: per stream and partition the\n"
      "committed offset, and with --from (Kafka or the embedded log) the bus's end offset and\n"
      "the lag; the last commit; the dead letters by reason; the rows stored. Reads only.\n"
      "Examples:\n"
      "  shopstream status --processed sqlite:///tmp/store.db --from sqlite:///tmp/log.db\n"
      "  shopstream status --processed mysql://admin@127.0.0.1:3306/ecommerce.operations \\\n"
      "                    --from kafka://127.0.0.1:9092/ecommercetopic --json");
  cmd->add_option("--processed", args->processed,
                  "Processed store URI: sqlite:///PATH, mysql://USER@HOST:PORT/DATABASE.TABLE or\n"
                  "postgres://USER@HOST:PORT/DATABASE.SCHEMA.TABLE")
      ->required();
  cmd->add_option(
      "--from", args->from,
      "The bus the pipeline reads, kafka://HOST:PORT/TOPIC or the embedded log\n"
      "sqlite:///PATH, for its end offsets and the lag (default: none; they show as ?)");
  cmd->add_flag("--json", args->json, "One JSON object on stdout instead of the table");
  AddConnectTimeout(cmd, &args->connect_timeout);
  cmd->callback([args] { RunStatus(*args); });
}

}  // namespace shopstream::cli
