// The embedded stores: raw events in table raw_operations (the seed's Cassandra columns) and
// cleaned rows, rollups, dead letters and offsets (the seed's MySQL table `operations` and the
// project's own tables) in one SQLite file each, or both in the same file. A file may hold
// several processed tables (`table`, "operations" by default), each with its own side tables.
#pragma once

#include <memory>
#include <string>

#include "common/status.h"
#include "query/query_store.h"
#include "store/store.h"

namespace shopstream::sqlite {

Result<std::unique_ptr<store::RawStore>> OpenSqliteRawStore(const std::string& path);
Result<std::unique_ptr<store::ProcessedStore>> OpenSqliteProcessedStore(
    const std::string& path, const std::string& table = "operations");
// The dashboard's reader, read-only while another process writes the file in WAL mode.
// NotFound when the file does not exist; InvalidArgument for a file that is not a store.
Result<std::unique_ptr<query::QueryStore>> OpenSqliteQueryStore(
    const std::string& path, const std::string& table = "operations");

}  // namespace shopstream::sqlite
