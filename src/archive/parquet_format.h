// The archive's files as Parquet, written with Apache Arrow's C++ library. Event files hold the
// raw table's columns plus the bus position:
//   id string, event_time timestamp[us, UTC], event_type string, product_id int64,
//   category_id int64, category_code string?, brand string?, price float, user_id int64,
//   user_session string?, bus_partition int32, bus_offset int64        (? = nullable)
// Dead-letter files hold bus_partition int32, bus_offset int64, reason string, payload binary.
// Each file is built in memory, a row group at a time, and returned whole by Finish().
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "archive/file_format.h"
#include "common/status.h"

namespace shopstream::archive {

struct ParquetOptions {
  std::string compression = "zstd";  // zstd | snappy | none
  int64_t row_group_rows = 128 * 1024;
};

// InvalidArgument for an unknown compression.
Result<std::unique_ptr<FileFormat>> MakeParquetFormat(const ParquetOptions& options);

}  // namespace shopstream::archive
