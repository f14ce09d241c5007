// Helpers for the source tests: temporary files and the path of the 10K sample.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

namespace shopstream::csv::testing {

// The real 10K sample zip: $SHOPSTREAM_SAMPLE_ZIP, else ../shared/data beside the repository.
inline std::string SampleZipPath() {
  const char* env = std::getenv("SHOPSTREAM_SAMPLE_ZIP");
  return env != nullptr ? env : SHOPSTREAM_SAMPLE_ZIP;
}

// A file in a fresh temporary folder, removed with the object.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "ss_test_XXXXXX").string();
    path_ = ::mkdtemp(pattern.data());
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  std::string File(const std::string& name) const { return (path_ / name).string(); }
  std::string Write(const std::string& name, const std::string& content) const {
    std::ofstream(File(name), std::ios::binary) << content;
    return File(name);
  }

 private:
  std::filesystem::path path_;
};

}  // namespace shopstream::csv::testing
