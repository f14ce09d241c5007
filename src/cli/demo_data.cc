#include "cli/demo_data.h"

#include <filesystem>

#include "common/log.h"
#include "common/progress.h"
#include "csv/byte_sink.h"
#include "generate/generator.h"

namespace shopstream::cli {

Result<std::string> EnsureDemoData(const std::string& data_dir, int64_t rows, uint64_t seed) {
  namespace fs = std::filesystem;
  const std::string name =
      "generated-" + std::to_string(rows) + "-" + std::to_string(seed) + ".csv";
  const fs::path path = fs::path(data_dir) / name;
  if (fs::exists(path)) return path.string();

  // Written under a temporary name and renamed, so an interrupted run never leaves half a file.
  const fs::path partial = path.string() + ".partial";
  auto sink = csv::OpenByteSink(partial.string());
  if (!sink.ok()) return sink.status();
  LogInfo("generating " + std::to_string(rows) + " rows of 2019-Nov-shaped data into " +
          path.string());
  generate::GeneratorOptions options;
  options.rows = static_cast<uint64_t>(rows);
  options.seed = seed;
  ProgressBar bar("generate", options.rows, ProgressUnit::kCount, "rows");
  Status s =
      generate::WriteGeneratedCsv(options, **sink, [&bar](uint64_t done) { bar.Update(done); });
  bar.Finish();
  if (!s.ok()) return s;
  std::error_code ec;
  fs::rename(partial, path, ec);
  if (ec) return Status::IoError("cannot rename " + partial.string() + ": " + ec.message());
  return path.string();
}

}  // namespace shopstream::cli
