// Loads the Parquet format from the module built beside the binary (parquet_module.cc), so that
// only `shopstream archive` maps Apache Arrow. The module stays loaded until the process ends.
#pragma once

#include <memory>
#include <string>

#include "archive/file_format.h"
#include "archive/parquet_format.h"
#include "common/status.h"

namespace shopstream::archive {

// The module's file name, in the folder of the running binary.
inline constexpr const char* kParquetModule = "shopstream-parquet.so";
// The module's entry point (extern "C", so that its name is stable).
inline constexpr const char* kParquetModuleEntry = "ShopstreamMakeParquetFormat";

// MakeParquetFormat through the module: Internal naming the file when it cannot be loaded,
// otherwise what MakeParquetFormat returns (InvalidArgument for bad options).
Result<std::unique_ptr<FileFormat>> LoadParquetFormat(const ParquetOptions& options);

}  // namespace shopstream::archive
