#include "archive/parquet_loader.h"

#include <dlfcn.h>
#include <unistd.h>

#include <climits>

namespace shopstream::archive {
namespace {

using Entry = void (*)(const ParquetOptions*, Result<std::unique_ptr<FileFormat>>*);

// The folder of the running binary, "" if unknown.
std::string BinaryFolder() {
  char path[PATH_MAX];
  const ssize_t n = readlink("/proc/self/exe", path, sizeof(path) - 1);
  if (n <= 0) return "";
  std::string exe(path, static_cast<size_t>(n));
  return exe.substr(0, exe.rfind('/') + 1);
}

}  // namespace

Result<std::unique_ptr<FileFormat>> LoadParquetFormat(const ParquetOptions& options) {
  const std::string path = BinaryFolder() + kParquetModule;
  void* module = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!module) {
    return Status::Internal("cannot load the Parquet module " + path + ": " + dlerror() +
                            " (it is built beside shopstream, by the shopstream_parquet target)");
  }
  auto entry = reinterpret_cast<Entry>(dlsym(module, kParquetModuleEntry));
  if (!entry) {
    return Status::Internal("the Parquet module " + path + " has no " + kParquetModuleEntry);
  }
  Result<std::unique_ptr<FileFormat>> format =
      Status::Internal("the Parquet module answered nothing");
  entry(&options, &format);
  return format;
}

}  // namespace shopstream::archive
