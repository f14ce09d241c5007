#include "csv/byte_source.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

#include "common/text.h"

namespace shopstream::csv {
namespace {

constexpr size_t kCompressedChunk = 256 * 1024;

// Opens `path` read-only and reports why not, naming the path.
Result<int> OpenFile(const std::string& path, uint64_t* size) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    int err = errno;
    std::string why = path + ": " + std::strerror(err);
    if (err == ENOENT) return Status::NotFound(why);
    return Status::IoError(why);
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0 || S_ISDIR(st.st_mode)) {
    ::close(fd);
    return Status::IoError(path + ": not a readable file");
  }
  *size = static_cast<uint64_t>(st.st_size);
  return fd;
}

// read(2) that retries on EINTR.
ssize_t ReadSome(int fd, char* buffer, size_t capacity) {
  for (;;) {
    ssize_t n = ::read(fd, buffer, capacity);
    if (n >= 0 || errno != EINTR) return n;
  }
}

class MemorySource final : public ByteSource {
 public:
  // `view` points into `owned`, or into memory that outlives the source when `owned` is empty.
  MemorySource(std::string owned, std::string_view view, std::string name, size_t max_read)
      : owned_(std::move(owned)),
        data_(owned_.empty() ? view : owned_),
        name_(std::move(name)),
        max_read_(std::max<size_t>(max_read, 1)) {}
  Result<size_t> Read(char* buffer, size_t capacity) override {
    size_t n = std::min({capacity, max_read_, data_.size() - consumed_});
    if (n == 0) return size_t{0};  // an empty view may have a null data()
    std::memcpy(buffer, data_.data() + consumed_, n);
    consumed_ += n;
    return n;
  }
  uint64_t bytes_consumed() const override { return consumed_; }
  uint64_t total_bytes() const override { return data_.size(); }
  const std::string& name() const override { return name_; }

 private:
  std::string owned_;
  std::string_view data_;
  std::string name_;
  size_t max_read_;
  size_t consumed_ = 0;
};

class PlainFileSource final : public ByteSource {
 public:
  PlainFileSource(std::string path, int fd, uint64_t size)
      : path_(std::move(path)), fd_(fd), size_(size) {}
  ~PlainFileSource() override { ::close(fd_); }

  Result<size_t> Read(char* buffer, size_t capacity) override {
    ssize_t n = ReadSome(fd_, buffer, capacity);
    if (n < 0) return Status::IoError(path_ + ": read failed: " + std::strerror(errno));
    consumed_ += static_cast<uint64_t>(n);
    return static_cast<size_t>(n);
  }
  uint64_t bytes_consumed() const override { return consumed_; }
  uint64_t total_bytes() const override { return size_; }
  const std::string& name() const override { return path_; }

 private:
  std::string path_;
  int fd_;
  uint64_t size_;
  uint64_t consumed_ = 0;
};

// InvalidArgument unless the zip at `path` holds exactly one file (directories aside), read
// from its central directory before anything is decoded: a second CSV would otherwise be
// found only after the first was sent.
Status CheckOneFileInZip(const std::string& path) {
  struct archive* a = archive_read_new();
  if (a == nullptr) return Status::Internal(path + ": archive_read_new failed");
  archive_read_support_format_zip_seekable(a);
  std::vector<std::string> files;
  Status s = Status::Ok();
  if (archive_read_open_filename(a, path.c_str(), 64 * 1024) != ARCHIVE_OK) {
    const char* detail = archive_error_string(a);
    s = Status::IoError(path + ": cannot open" + (detail ? std::string(": ") + detail : ""));
  }
  for (archive_entry* entry = nullptr; s.ok();) {
    const int rc = archive_read_next_header(a, &entry);
    if (rc == ARCHIVE_EOF) break;
    if (rc != ARCHIVE_OK && rc != ARCHIVE_WARN) break;  // reported by the streaming read
    if (archive_entry_filetype(entry) == AE_IFDIR) continue;
    const char* name = archive_entry_pathname(entry);
    files.push_back(QuoteValue(name ? name : "?"));
  }
  archive_read_free(a);
  if (!s.ok() || files.size() <= 1) return s;
  std::string names;
  for (size_t i = 0; i < files.size() && i < 3; ++i) names += (i > 0 ? ", " : "") + files[i];
  if (files.size() > 3) names += ", ...";
  return Status::InvalidArgument(path + ": the zip holds " + std::to_string(files.size()) +
                                 " files (" + names + "), not one CSV: give them one at a time");
}

// A .gz stream or the single file inside a .zip, through libarchive. The compressed bytes
// are fed by our own callback so that we can count them for progress.
class ArchiveSource final : public ByteSource {
 public:
  ArchiveSource(std::string path, int fd, uint64_t size)
      : path_(std::move(path)), fd_(fd), size_(size), chunk_(kCompressedChunk) {}
  ~ArchiveSource() override {
    if (archive_ != nullptr) archive_read_free(archive_);
    ::close(fd_);
  }

  Status Open(bool zip) {
    archive_ = archive_read_new();
    if (archive_ == nullptr) return Status::Internal(path_ + ": archive_read_new failed");
    if (zip) {
      archive_read_support_format_zip(archive_);
    } else {
      archive_read_support_filter_gzip(archive_);
      archive_read_support_format_raw(archive_);
    }
    if (archive_read_open(archive_, this, nullptr, &ArchiveSource::ReadCallback, nullptr) !=
        ARCHIVE_OK) {
      return Error("cannot open");
    }
    // The first regular file is the data; directories in a zip are skipped.
    for (;;) {
      archive_entry* entry = nullptr;
      int rc = archive_read_next_header(archive_, &entry);
      if (rc == ARCHIVE_EOF) return Status::InvalidArgument(path_ + ": the archive holds no file");
      if (rc != ARCHIVE_OK && rc != ARCHIVE_WARN) return Error("cannot read the archive header");
      if (!zip || archive_entry_filetype(entry) != AE_IFDIR) break;
    }
    // Without this check libarchive would pass a file that is not gzip through unchanged.
    if (!zip && archive_filter_code(archive_, 0) != ARCHIVE_FILTER_GZIP) {
      return Status::InvalidArgument(path_ + ": not a gzip file");
    }
    zip_ = zip;
    return Status::Ok();
  }

  Result<size_t> Read(char* buffer, size_t capacity) override {
    if (finished_) return size_t{0};
    la_ssize_t n = archive_read_data(archive_, buffer, capacity);
    if (n < 0) return Error("cannot decompress");
    if (n == 0) {
      finished_ = true;
      if (zip_) {
        archive_entry* entry = nullptr;
        int rc = archive_read_next_header(archive_, &entry);
        if (rc == ARCHIVE_OK || rc == ARCHIVE_WARN) {
          return Status::InvalidArgument(path_ + ": the zip holds more than one file");
        }
      }
    }
    return static_cast<size_t>(n);
  }
  uint64_t bytes_consumed() const override { return consumed_; }
  uint64_t total_bytes() const override { return size_; }
  const std::string& name() const override { return path_; }

 private:
  static la_ssize_t ReadCallback(struct archive* a, void* self_ptr, const void** out) {
    auto* self = static_cast<ArchiveSource*>(self_ptr);
    ssize_t n = ReadSome(self->fd_, self->chunk_.data(), self->chunk_.size());
    if (n < 0) {
      archive_set_error(a, errno, "read failed: %s", std::strerror(errno));
      return -1;
    }
    self->consumed_ += static_cast<uint64_t>(n);
    *out = self->chunk_.data();
    return n;
  }

  Status Error(const char* what) {
    const char* detail = archive_error_string(archive_);
    return Status::IoError(path_ + ": " + what + (detail ? std::string(": ") + detail : ""));
  }

  std::string path_;
  int fd_;
  uint64_t size_;
  uint64_t consumed_ = 0;
  std::vector<char> chunk_;
  struct archive* archive_ = nullptr;
  bool zip_ = false;
  bool finished_ = false;
};

}  // namespace

bool HasSuffix(const std::string& path, const std::string& suffix) {
  if (path.size() < suffix.size()) return false;
  return strncasecmp(path.c_str() + path.size() - suffix.size(), suffix.c_str(), suffix.size()) ==
         0;
}

std::unique_ptr<ByteSource> MakeMemorySource(std::string data, std::string name, size_t max_read) {
  std::string_view view;  // bound to the moved string inside the source
  return std::make_unique<MemorySource>(std::move(data), view, std::move(name), max_read);
}

std::unique_ptr<ByteSource> MakeViewSource(std::string_view data, std::string name,
                                           size_t max_read) {
  return std::make_unique<MemorySource>(std::string(), data, std::move(name), max_read);
}

Result<std::unique_ptr<ByteSource>> OpenByteSource(const std::string& path) {
  uint64_t size = 0;
  Result<int> fd = OpenFile(path, &size);
  if (!fd.ok()) return fd.status();
  bool zip = HasSuffix(path, ".zip");
  if (zip || HasSuffix(path, ".gz")) {
    if (zip) {
      if (Status s = CheckOneFileInZip(path); !s.ok()) {
        ::close(*fd);
        return s;
      }
    }
    auto source = std::make_unique<ArchiveSource>(path, *fd, size);
    Status s = source->Open(zip);
    if (!s.ok()) return s;
    return std::unique_ptr<ByteSource>(std::move(source));
  }
  return std::unique_ptr<ByteSource>(std::make_unique<PlainFileSource>(path, *fd, size));
}

}  // namespace shopstream::csv
