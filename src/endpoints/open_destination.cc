#include "archive/destination.h"
#include "archive/file_destination.h"
#include "common/uri.h"
#include "hdfs/webhdfs_destination.h"

namespace shopstream::endpoints {

Result<std::unique_ptr<archive::Destination>> OpenDestination(const std::string& text) {
  // file:///abs/dir or file://relative/dir: everything after the scheme is the path.
  if (text.starts_with("file://")) {
    std::string path = text.substr(7);
    while (path.size() > 1 && path.back() == '/') path.pop_back();
    if (path.empty() || path.find('?') != std::string::npos) {
      return Status::InvalidArgument("'" + text + "' names no folder (use file:///ABS/DIR)");
    }
    return archive::OpenFileDestination(path, text);
  }
  if (Status s = CheckScheme(text, {"file", "hdfs", "webhdfs"}); !s.ok()) return s;
  auto uri = ParseUri(text);
  if (!uri.ok()) return uri.status();
  if (uri->scheme == "hdfs" || uri->scheme == "webhdfs") {
    if (uri->path.empty()) {
      return Status::InvalidArgument("'" + text + "' names no folder (hdfs://HOST:PORT/PATH)");
    }
    return hdfs::OpenWebHdfsDestination(*uri);
  }
  return Status::InvalidArgument("'" + text + "': unknown archive scheme '" + uri->scheme +
                                 "' (use file:///DIR or hdfs://HOST:PORT/PATH)");
}

}  // namespace shopstream::endpoints
