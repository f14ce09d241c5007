// `shopstream cql --to cassandra://HOST:PORT[/KEYSPACE] "STATEMENT"`: runs one CQL statement
// through shopstream's own client and prints the rows as an aligned table or as TSV.
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "cassandra/cassandra_options.h"
#include "cassandra/session.h"
#include "cli/cli_util.h"
#include "cli/commands.h"
#include "cli/common_options.h"
#include "cli/reach.h"
#include "common/log.h"
#include "common/uri.h"

namespace shopstream::cli {

namespace {

// Table cells stay on one line: control characters are shown as escapes.
std::string OneLine(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '\n')
      out += "\\n";
    else if (c == '\t')
      out += "\\t";
    else if (c == '\r')
      out += "\\r";
    else
      out += c;
  }
  return out;
}

// TSV cells: backslash escapes for \, tab, newline and CR; null is \N.
std::string TsvCell(const std::optional<std::string>& s) {
  if (!s) return "\\N";
  std::string out;
  for (char c : *s) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '\t')
      out += "\\t";
    else if (c == '\n')
      out += "\\n";
    else if (c == '\r')
      out += "\\r";
    else
      out += c;
  }
  return out;
}

// Width on a terminal, counting UTF-8 code points (continuation bytes take no column).
size_t DisplayWidth(const std::string& s) {
  size_t width = 0;
  for (unsigned char c : s) width += (c & 0xC0) != 0x80;
  return width;
}

void PrintTable(const cassandra::ResultMessage& r) {
  const auto& columns = r.metadata.columns;
  std::vector<std::vector<std::string>> cells;
  std::vector<size_t> widths;
  for (const auto& c : columns) widths.push_back(DisplayWidth(c.name));
  for (const auto& row : r.rows) {
    std::vector<std::string> line;
    for (size_t i = 0; i < row.size() && i < columns.size(); ++i) {
      line.push_back(row[i] ? OneLine(cassandra::FormatValue(columns[i].type, *row[i])) : "null");
      widths[i] = std::max(widths[i], DisplayWidth(line.back()));
    }
    cells.push_back(std::move(line));
  }
  auto print_line = [&](const std::vector<std::string>& line) {
    std::string out;
    for (size_t i = 0; i < line.size(); ++i) {
      if (i) out += " | ";
      out += line[i];
      if (i + 1 < line.size()) out += std::string(widths[i] - DisplayWidth(line[i]), ' ');
    }
    std::cout << out << '\n';
  };
  std::vector<std::string> header;
  for (const auto& c : columns) header.push_back(c.name);
  print_line(header);
  std::string rule;
  for (size_t i = 0; i < widths.size(); ++i) rule += (i ? "-+-" : "") + std::string(widths[i], '-');
  std::cout << rule << '\n';
  for (const auto& line : cells) print_line(line);
  std::cout << "\n(" << r.rows.size() << (r.rows.size() == 1 ? " row)\n" : " rows)\n");
}

void PrintTsv(const cassandra::ResultMessage& r) {
  const auto& columns = r.metadata.columns;
  std::string out;
  for (size_t i = 0; i < columns.size(); ++i) {
    if (i) out += '\t';
    out += TsvCell(columns[i].name);
  }
  std::cout << out << '\n';
  for (const auto& row : r.rows) {
    out.clear();
    for (size_t i = 0; i < row.size() && i < columns.size(); ++i) {
      std::optional<std::string> text;
      if (row[i]) text = cassandra::FormatValue(columns[i].type, *row[i]);
      if (i) out += '\t';
      out += TsvCell(text);
    }
    std::cout << out << '\n';
  }
}

std::string Describe(const cassandra::ResultMessage& r) {
  switch (r.kind) {
    case cassandra::ResultKind::kSetKeyspace:
      return "keyspace " + r.keyspace;
    case cassandra::ResultKind::kSchemaChange: {
      const auto& sc = r.schema_change;
      return sc.change_type + " " + sc.target + " " + sc.keyspace +
             (sc.name.empty() ? "" : "." + sc.name);
    }
    default:
      return "OK";
  }
}

// One statement cannot be abandoned half way by the client: on Ctrl-C or SIGTERM while it
// runs, this says so in one line and ends the process with the signal's code (the session's
// threads are still busy with the request, so no destructor runs).
class StopWatcher {
 public:
  StopWatcher()
      : stop_(InstallStopSignals("abandoning the statement")), thread_([this] { Watch(); }) {}
  ~StopWatcher() {
    answered_ = true;
    thread_.join();
  }

 private:
  void Watch() {
    while (!answered_.load()) {
      if (stop_.load()) {
        LogInfo("cql: stopped before the answer came; the statement may or may not have run");
        std::fflush(nullptr);
        _exit(128 + StopSignal());
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }

  std::atomic<bool>& stop_;
  std::atomic<bool> answered_{false};
  std::thread thread_;
};

}  // namespace

void RegisterCqlCommand(CLI::App& app) {
  struct Options {
    std::string to;
    std::string statement;
    std::string format = "table";
    std::string consistency = "ONE";
    std::string connect_timeout = "10s";
  };
  auto options = std::make_shared<Options>();
  auto* cmd =
      app.add_subcommand("cql",
                         "Run one CQL statement on Cassandra and print its rows.\n"
                         "Credentials, if the cluster wants them: SHOPSTREAM_CASSANDRA_USER and\n"
                         "SHOPSTREAM_CASSANDRA_PASSWORD in the environment.\n"
                         "Example: shopstream cql --to cassandra://127.0.0.1:9042 \"SELECT * FROM "
                         "ecommerce_ks.operations LIMIT 5\"");
  cmd->add_option("--to", options->to,
                  "cassandra://HOST:PORT[,HOST:PORT...][/KEYSPACE]; the keyspace becomes current")
      ->required();
  cmd->add_option("statement", options->statement, "the CQL statement")->required();
  cmd->add_option("--format", options->format, "table (aligned) or tsv (\\N for null)")
      ->capture_default_str()
      ->check(CLI::IsMember({"table", "tsv"}));
  cmd->add_option("--consistency", options->consistency,
                  "Consistency level: ONE, QUORUM, LOCAL_QUORUM, ALL, ...")
      ->capture_default_str();
  AddConnectTimeout(cmd, &options->connect_timeout);
  cmd->callback([options] {
    auto uri = ParseUri(options->to);
    if (!uri.ok()) throw CommandExit(kExitBadInput, uri.status().message());
    auto parsed = cassandra::ParseCassandraUri(*uri, /*allow_no_keyspace=*/true);
    if (!parsed.ok()) throw CommandExit(kExitBadInput, parsed.status().message());
    auto consistency = cassandra::ParseConsistency(options->consistency);
    if (!consistency.ok()) throw CommandExit(kExitBadInput, consistency.status().message());

    cassandra::SessionOptions session_options = parsed->session;
    session_options.keyspace = parsed->keyspace;
    session_options.connections_per_node = 1;
    session_options.connect_timeout = ConnectTimeout(options->connect_timeout);
    Result<std::unique_ptr<cassandra::Session>> session = Status::Internal("not connected");
    Result<cassandra::ResultMessage> result = Status::Internal("no answer");
    {
      StopWatcher watcher;
      session = cassandra::Session::Connect(session_options);
      if (session.ok()) result = (*session)->Query(options->statement, *consistency);
    }
    if (!session.ok()) throw CommandExit(kExitFailure, WithLikelyCause(session.status().message()));
    if (!result.ok()) throw CommandExit(kExitFailure, result.status().message());
    if (result->kind == cassandra::ResultKind::kRows) {
      options->format == "tsv" ? PrintTsv(*result) : PrintTable(*result);
    } else if (options->format == "table") {
      std::cout << Describe(*result) << '\n';
    }
    std::cout.flush();
    if (!std::cout) throw CommandExit(kExitFailure, "writing the rows to standard output failed");
    ExitIfStoppedBySignal();
  });
}

}  // namespace shopstream::cli
