#include "archive/file_destination.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace shopstream::archive {
namespace {

// Out of space or a flaky disk may pass (someone frees space): retry. Anything else will not.
Status Errno(const std::string& what, const std::string& path, int err) {
  std::string message = what + " " + path + ": " + std::strerror(err);
  if (err == ENOSPC || err == EDQUOT || err == EIO || err == EINTR || err == EAGAIN) {
    return Status::Unavailable(message);
  }
  return Status::IoError(message);
}

class FileDestination final : public Destination {
 public:
  FileDestination(std::string root, std::string uri)
      : root_(std::move(root)), uri_(std::move(uri)) {}

  Status MakeDirs(const std::string& dir) override {
    std::error_code ec;
    std::filesystem::create_directories(Path(dir), ec);
    if (ec) return Errno("creating folder", Path(dir), ec.value());
    return SyncDir(Parent(Path(dir)));
  }

  Result<std::vector<std::string>> List(const std::string& dir) override {
    std::vector<std::string> names;
    DIR* d = opendir(Path(dir).c_str());
    if (d == nullptr) {
      if (errno == ENOENT) return names;
      return Errno("listing", Path(dir), errno);
    }
    while (dirent* entry = readdir(d)) {
      std::string_view name = entry->d_name;
      if (name != "." && name != "..") names.emplace_back(name);
    }
    closedir(d);
    return names;
  }

  Status Write(const std::string& path, std::string_view bytes) override {
    const std::string full = Path(path);
    int fd = open(full.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return Errno("creating", full, errno);
    size_t done = 0;
    while (done < bytes.size()) {
      ssize_t n = write(fd, bytes.data() + done, bytes.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        int err = errno;
        close(fd);
        return Errno("writing", full, err);
      }
      done += static_cast<size_t>(n);
    }
    if (fsync(fd) != 0) {
      int err = errno;
      close(fd);
      return Errno("syncing", full, err);
    }
    if (close(fd) != 0) return Errno("closing", full, errno);
    return Status::Ok();
  }

  Status Rename(const std::string& from, const std::string& to) override {
    const std::string a = Path(from), b = Path(to);
    if (std::rename(a.c_str(), b.c_str()) != 0) {
      int err = errno;
      if (err == ENOENT && Exists(b) && !Exists(a)) return Status::Ok();  // done before
      return Errno("renaming", a + " to " + b, err);
    }
    Status s = SyncDir(Parent(b));
    if (s.ok() && Parent(a) != Parent(b)) s = SyncDir(Parent(a));
    return s;
  }

  Status Delete(const std::string& path) override {
    if (unlink(Path(path).c_str()) != 0 && errno != ENOENT)
      return Errno("deleting", Path(path), errno);
    return Status::Ok();
  }

  const std::string& uri() const override { return uri_; }

 private:
  std::string Path(const std::string& relative) const {
    return relative.empty() ? root_ : root_ + "/" + relative;
  }
  static std::string Parent(const std::string& path) {
    size_t slash = path.rfind('/');
    return slash == std::string::npos || slash == 0 ? "/" : path.substr(0, slash);
  }
  static bool Exists(const std::string& path) {
    struct stat st;
    return stat(path.c_str(), &st) == 0;
  }
  // Makes a rename or a new entry in `dir` durable.
  static Status SyncDir(const std::string& dir) {
    int fd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return Errno("opening folder", dir, errno);
    int rc = fsync(fd);
    int err = errno;
    close(fd);
    return rc == 0 ? Status::Ok() : Errno("syncing folder", dir, err);
  }

  std::string root_;
  std::string uri_;
};

}  // namespace

Result<std::unique_ptr<Destination>> OpenFileDestination(const std::string& root,
                                                         const std::string& uri) {
  std::error_code ec;
  std::filesystem::create_directories(root, ec);
  if (ec) return Status::IoError("creating the archive folder " + root + ": " + ec.message());
  if (!std::filesystem::is_directory(root, ec)) {
    return Status::InvalidArgument("'" + uri + "': " + root + " is not a folder");
  }
  return std::unique_ptr<Destination>(std::make_unique<FileDestination>(root, uri));
}

}  // namespace shopstream::archive
