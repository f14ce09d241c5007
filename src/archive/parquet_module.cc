// The Parquet format as a module that `shopstream archive` loads when it starts
// (parquet_loader.h): linked into the binary, Apache Arrow's and Parquet's libraries were mapped
// by every command, and their start-up touched about 14 MiB of resident pages in each.
#include "archive/parquet_format.h"
#include "archive/parquet_loader.h"

extern "C" __attribute__((visibility("default"))) void ShopstreamMakeParquetFormat(
    const shopstream::archive::ParquetOptions* options,
    shopstream::Result<std::unique_ptr<shopstream::archive::FileFormat>>* out) {
  *out = shopstream::archive::MakeParquetFormat(*options);
}
