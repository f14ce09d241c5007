// The archive's layout: which folder a row goes to and what its files are called. Pure.
//
//   DEST/event_date=2019-11-08/part-0001-000000001000-000000001999-1of2.parquet
//   DEST/_dead_letters/part-0001-000000001000-000000001999-2of2.parquet
//
// A file is one of the N files of an *epoch*: the messages of one bus partition from offset
// `first` to `last`, split by date (and dead letters). Every file of the epoch carries the
// epoch's range and N in its name, so the names alone tell whether an epoch is complete. A file
// passes through three names: `_…-iofN.tmp` while written, `_…-iofN.pending` once written
// in full, `part-…-iofN.parquet` once every file of its epoch is pending (docs/archive.md).
// Names that begin with '_', contain no '=' and do not end in .parquet are skipped by Spark,
// pyarrow, DuckDB globs over *.parquet and Hive alike (Spark reads a `_x=y` name as a
// partition, so no such name may carry '=').
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace shopstream::archive {

// Folder of the messages that could not be archived as events (reason and payload kept).
inline constexpr std::string_view kDeadLetterDir = "_dead_letters";
inline constexpr std::string_view kDatePrefix = "event_date=";

enum class FileState { kTemp, kPending, kFinal };

struct FileName {
  int32_t partition = 0;
  int64_t first = 0;  // first offset of the epoch
  int64_t last = 0;   // last offset of the epoch
  int index = 1;      // 1..count
  int count = 1;      // files in the epoch
  bool operator==(const FileName&) const = default;
};

// "part-0001-000000001000-000000001999-1of2" plus the state's prefix and suffix.
std::string FormatFileName(const FileName& name, FileState state);

struct ParsedFileName {
  FileName name;
  FileState state;
};
// The inverse of FormatFileName; nullopt for any other name (readers' files, foreign files).
std::optional<ParsedFileName> ParseFileName(std::string_view text);

// The marker file at the root that names the stream archived there: "_stream." followed by the
// name with every byte but [A-Za-z0-9._-] as '_' (HDFS refuses ':' in names, WebHDFS's DataNode
// decodes %XX once more than the NameNode, and no '=' may appear, see above).
inline constexpr std::string_view kStreamMarkerPrefix = "_stream.";
std::string StreamMarker(std::string_view stream);

// A marker at the root saying where a partition began to be read while nothing of it was
// archived yet (`--start latest`): "_start.part-0001-000000001000". A restart before the
// partition's first epoch resumes there, not at a new end. Complete epochs come after it.
inline constexpr std::string_view kStartMarkerPrefix = "_start.";
struct StartMark {
  int32_t partition = 0;
  int64_t offset = 0;
  bool operator==(const StartMark&) const = default;
};
std::string StartMarker(const StartMark& mark);
// The inverse of StartMarker; nullopt for any other name.
std::optional<StartMark> ParseStartMarker(std::string_view name);

// A marker at the root naming the id of the topic incarnation archived there (a Kafka topic's
// id, base64url): "_stream_id.Yr79TC7eRIW2Jeqm5PXf3A". A topic deleted and created again under
// the same name has another id, and its offsets would mix with the old one's.
inline constexpr std::string_view kStreamIdMarkerPrefix = "_stream_id.";

// "event_date=2019-11-08" for "2019-11-08".
std::string DateDir(std::string_view date);
// True for the folders the archive writes into: event_date=YYYY-MM-DD and _dead_letters.
bool IsArchiveDir(std::string_view name);

}  // namespace shopstream::archive
