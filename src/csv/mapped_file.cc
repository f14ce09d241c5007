#include "csv/mapped_file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "csv/byte_source.h"

namespace shopstream::csv {

MappedFile::MappedFile(void* address, size_t size)
    : address_(address), bytes_(static_cast<const char*>(address), size) {}

MappedFile::~MappedFile() {
  if (!bytes_.empty()) ::munmap(address_, bytes_.size());
}

void MappedFile::ReleaseBefore(uint64_t offset) {
  static const auto page = static_cast<uint64_t>(::sysconf(_SC_PAGESIZE));
  const uint64_t end = std::min<uint64_t>(offset, bytes_.size()) / page * page;
  if (end <= released_) return;
  ::madvise(static_cast<char*>(address_) + released_, end - released_, MADV_DONTNEED);
  released_ = end;
}

Result<std::unique_ptr<MappedFile>> MappedFile::Open(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    int error = errno;
    std::string message = path + ": " + std::strerror(error);
    return error == ENOENT ? Status::NotFound(message) : Status::IoError(message);
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    std::string message = path + ": " + std::strerror(errno);
    ::close(fd);
    return Status::IoError(message);
  }
  auto size = static_cast<size_t>(st.st_size);
  void* address = nullptr;
  if (size > 0) {
    address = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (address == MAP_FAILED) {
      std::string message = path + ": cannot map the file: " + std::strerror(errno);
      ::close(fd);
      return Status::IoError(message);
    }
    ::madvise(address, size, MADV_SEQUENTIAL);
  }
  ::close(fd);  // the mapping keeps the file
  return std::unique_ptr<MappedFile>(new MappedFile(address, size));
}

bool IsPlainRegularFile(const std::string& path, uint64_t* size) {
  if (HasSuffix(path, ".gz") || HasSuffix(path, ".zip")) return false;
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return false;
  *size = static_cast<uint64_t>(st.st_size);
  return true;
}

}  // namespace shopstream::csv
