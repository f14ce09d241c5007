// `deadletters export --to FILE.jsonl`: one JSON object per dead letter, with its provenance and
// its message, ready to edit and replay with `deadletters replay --from FILE.jsonl`.
#include <cstdio>
#include <fstream>

#include "cli/cli_util.h"
#include "cli/commands.h"
#include "cli/deadletters/deadletters.h"
#include "common/hex.h"
#include "common/json_writer.h"
#include "common/log.h"
#include "common/utf8.h"

namespace shopstream::cli {
namespace {

struct ExportArgs {
  std::string to;
  LetterFilterArgs filter;
};

std::string JsonLine(const sql::StoredDeadLetter& l) {
  JsonWriter w;
  w.BeginObject();
  w.Key("stream").String(l.key.stream).Key("partition").Int(l.key.partition);
  w.Key("offset").Int(l.key.offset).Key("code").String(l.code);
  w.Key("field").String(l.field).Key("state").String(l.state).Key("replays").Int(l.replays);
  w.Key("recorded_at").String(l.recorded_at).Key("reason").String(l.reason);
  // JSON strings hold text: a message that is not UTF-8 goes as hex, byte for byte.
  if (IsValidUtf8(l.payload)) {
    w.Key("message").String(l.payload);
  } else {
    w.Key("message_hex").String(ToHex(l.payload));
  }
  w.EndObject();
  return w.str();
}

void RunExport(const DeadLettersArgs& args, const ExportArgs& ex) {
  sql::DeadLetterFilter filter = LetterFilterOrExit(ex.filter);
  auto table = OpenDeadLettersOrExit(args, LetterAccess::kRead);
  const std::string partial = ex.to + ".partial";
  std::ofstream out(partial, std::ios::binary | std::ios::trunc);
  if (!out) throw CommandExit(kExitBadInput, "--to " + ex.to + ": cannot write " + partial);
  int64_t written = 0;
  std::optional<store::DeadLetterKey> after;
  for (;;) {
    auto page = table->Page(filter, after ? &*after : nullptr, 1000);
    if (!page.ok()) throw CommandExit(kExitFailure, page.status().message());
    for (const sql::StoredDeadLetter& l : *page) out << JsonLine(l) << '\n';
    written += static_cast<int64_t>(page->size());
    if (page->size() < 1000) break;
    after = page->back().key;
  }
  out.close();
  // Whole or not at all: a file cut short by a failure would replay as if it were complete.
  if (!out || std::rename(partial.c_str(), ex.to.c_str()) != 0) {
    throw CommandExit(kExitFailure, "--to " + ex.to + ": writing failed");
  }
  LogInfo("exported " + Grouped(written) + " dead letters to " + ex.to);
}

}  // namespace

void AddExportCommand(CLI::App* parent, std::shared_ptr<DeadLettersArgs> args) {
  auto ex = std::make_shared<ExportArgs>();
  auto* cmd = parent->add_subcommand(
      "export",
      "Write the dead letters to a JSONL file, one per line: stream, partition, offset (the\n"
      "provenance replay --from keys on), code, field, state, replays, recorded_at, reason and\n"
      "the message (message_hex instead when it is not UTF-8). Edit the message, keep the\n"
      "provenance, then replay the file");
  cmd->add_option("--to", ex->to, "The JSONL file to write")->required();
  AddLetterFilterOptions(cmd, &ex->filter);
  cmd->callback([args, ex] { RunExport(*args, *ex); });
}

}  // namespace shopstream::cli
