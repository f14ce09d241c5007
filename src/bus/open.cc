#include "bus/open.h"

#include "bus/sqlite_log/sqlite_log.h"
#include "common/uri.h"

namespace shopstream {
namespace {
Status UnknownScheme(const Uri& uri) {
  return Status::InvalidArgument("'" + uri.text + "': unknown bus scheme '" + uri.scheme +
                                 "' (use sqlite:///PATH or kafka://HOST:PORT/TOPIC)");
}
}  // namespace

Result<std::unique_ptr<Publisher>> OpenPublisher(const std::string& text,
                                                 const PublisherOptions& options) {
  auto uri = ParseUri(text);
  if (!uri.ok()) return uri.status();
  if (uri->scheme == "sqlite") return OpenSqliteLogPublisher(uri->path);
  return UnknownScheme(*uri);
}

Result<std::unique_ptr<MessageSource>> OpenSource(const std::string& text,
                                                  const SourceOptions& options) {
  auto uri = ParseUri(text);
  if (!uri.ok()) return uri.status();
  if (uri->scheme == "sqlite") return OpenSqliteLogSource(uri->path, options.start_latest);
  return UnknownScheme(*uri);
}

}  // namespace shopstream
