// Opens a processed store's database for reading (sqlite://, mysql://, postgres://), for the
// checks of `verify` that read the rows, rollups and dead letters directly.
#pragma once

#include <memory>
#include <string>

#include "common/status.h"
#include "sql/sql_database.h"

namespace shopstream::verify {

Result<std::unique_ptr<sql::SqlDatabase>> OpenSqlStore(const std::string& uri);

}  // namespace shopstream::verify
