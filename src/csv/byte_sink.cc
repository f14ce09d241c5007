#include "csv/byte_sink.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <unistd.h>
#include <zlib.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "csv/byte_source.h"

namespace shopstream::csv {
namespace {

std::string ErrnoText(const std::string& path, const char* what) {
  return path + ": " + what + ": " + std::strerror(errno);
}

class FdSink final : public ByteSink {
 public:
  FdSink(std::string path, int fd, bool owned) : path_(std::move(path)), fd_(fd), owned_(owned) {}
  ~FdSink() override {
    if (owned_ && fd_ >= 0) ::close(fd_);
  }
  Status Write(std::string_view bytes) override {
    while (!bytes.empty()) {
      ssize_t n = ::write(fd_, bytes.data(), bytes.size());
      if (n < 0) {
        if (errno == EINTR) continue;
        return Status::IoError(ErrnoText(path_, "write failed"));
      }
      bytes.remove_prefix(static_cast<size_t>(n));
    }
    return Status::Ok();
  }
  Status Close() override {
    if (!owned_ || fd_ < 0) return Status::Ok();
    int rc = ::close(fd_);
    fd_ = -1;
    if (rc != 0) return Status::IoError(ErrnoText(path_, "close failed"));
    return Status::Ok();
  }
  const std::string& name() const override { return path_; }

 private:
  std::string path_;
  int fd_;
  bool owned_;
};

class GzipSink final : public ByteSink {
 public:
  GzipSink(std::string path, gzFile file) : path_(std::move(path)), file_(file) {}
  ~GzipSink() override {
    if (file_ != nullptr) gzclose(file_);
  }
  Status Write(std::string_view bytes) override {
    while (!bytes.empty()) {
      unsigned chunk = static_cast<unsigned>(std::min<size_t>(bytes.size(), 1u << 30));
      if (gzwrite(file_, bytes.data(), chunk) != static_cast<int>(chunk)) return Error();
      bytes.remove_prefix(chunk);
    }
    return Status::Ok();
  }
  Status Close() override {
    if (file_ == nullptr) return Status::Ok();
    int rc = gzclose(file_);
    file_ = nullptr;
    if (rc != Z_OK) return Status::IoError(path_ + ": gzip close failed");
    return Status::Ok();
  }
  const std::string& name() const override { return path_; }

 private:
  Status Error() {
    int code = 0;
    const char* text = gzerror(file_, &code);
    if (code == Z_ERRNO) return Status::IoError(ErrnoText(path_, "write failed"));
    return Status::IoError(path_ + ": gzip write failed: " + text);
  }
  std::string path_;
  gzFile file_;
};

class ZipSink final : public ByteSink {
 public:
  explicit ZipSink(std::string path) : path_(std::move(path)) {}
  ~ZipSink() override {
    if (archive_ != nullptr) archive_write_free(archive_);
  }
  Status Open() {
    archive_ = archive_write_new();
    archive_write_set_format_zip(archive_);
    if (archive_write_open_filename(archive_, path_.c_str()) != ARCHIVE_OK) return Error();
    std::string entry_name = std::filesystem::path(path_).stem().string() + ".csv";
    archive_entry* entry = archive_entry_new();
    archive_entry_set_pathname(entry, entry_name.c_str());
    archive_entry_set_filetype(entry, AE_IFREG);
    archive_entry_set_perm(entry, 0644);
    archive_entry_set_mtime(entry, 0, 0);
    archive_entry_unset_size(entry);  // streamed: the size follows the data
    int rc = archive_write_header(archive_, entry);
    archive_entry_free(entry);
    if (rc != ARCHIVE_OK) return Error();
    return Status::Ok();
  }
  Status Write(std::string_view bytes) override {
    while (!bytes.empty()) {
      la_ssize_t n = archive_write_data(archive_, bytes.data(), bytes.size());
      if (n <= 0) return Error();
      bytes.remove_prefix(static_cast<size_t>(n));
    }
    return Status::Ok();
  }
  Status Close() override {
    if (archive_ == nullptr) return Status::Ok();
    int rc = archive_write_close(archive_);
    Status s = rc == ARCHIVE_OK ? Status::Ok() : Error();
    archive_write_free(archive_);
    archive_ = nullptr;
    return s;
  }
  const std::string& name() const override { return path_; }

 private:
  Status Error() {
    const char* detail = archive_error_string(archive_);
    return Status::IoError(path_ + ": cannot write the zip" +
                           (detail ? std::string(": ") + detail : ""));
  }
  std::string path_;
  struct archive* archive_ = nullptr;
};

}  // namespace

Result<std::unique_ptr<ByteSink>> OpenByteSink(const std::string& path) {
  if (path == "-") return std::unique_ptr<ByteSink>(std::make_unique<FdSink>("stdout", 1, false));
  if (HasSuffix(path, ".zip")) {
    auto sink = std::make_unique<ZipSink>(path);
    Status s = sink->Open();
    if (!s.ok()) return s;
    return std::unique_ptr<ByteSink>(std::move(sink));
  }
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Status::IoError(ErrnoText(path, "cannot create"));
  if (HasSuffix(path, ".gz")) {
    gzFile file = gzdopen(fd, "wb1");
    if (file == nullptr) {
      ::close(fd);
      return Status::IoError(path + ": cannot start gzip");
    }
    gzbuffer(file, 256 * 1024);
    return std::unique_ptr<ByteSink>(std::make_unique<GzipSink>(path, file));
  }
  return std::unique_ptr<ByteSink>(std::make_unique<FdSink>(path, fd, true));
}

}  // namespace shopstream::csv
