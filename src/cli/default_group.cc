#include "cli/default_group.h"

#include <filesystem>

#include "common/log.h"
#include "common/uri.h"

namespace shopstream::cli {

std::string DefaultGroup(const std::string& prefix, const std::string& sink_uri) {
  auto uri = ParseUri(sink_uri);
  if (!uri.ok()) return prefix;
  std::string where;
  if (uri->scheme == "sqlite" || uri->scheme == "file") {
    std::error_code ec;
    const std::filesystem::path absolute = std::filesystem::absolute(uri->path, ec);
    where = ec ? uri->path : absolute.lexically_normal().string();
    if (uri->scheme == "sqlite") where += "?table=" + uri->Param("table", "operations");
  } else {
    where = ServerUri("", "", uri->host, uri->port, uri->path);  // any user: one sink
    if (where.starts_with("://")) where.erase(0, 3);
    // A table left out is the default one: both spellings name the same sink.
    if (uri->scheme == "mysql" && uri->path.find('.') == std::string::npos) {
      where += ".operations";
    }
    if (uri->scheme == "postgres" && uri->path.find('.') == std::string::npos) {
      where += ".public.operations";
    }
  }
  return prefix + ":" + uri->scheme + "://" + where;
}

std::string ConsumerGroup(const std::string& given, const std::string& prefix,
                          const std::string& sink_uri, const std::string& sink_option,
                          const std::string& from) {
  const std::string group = given.empty() ? DefaultGroup(prefix, sink_uri) : given;
  if (from.starts_with("kafka:")) {
    LogInfo("consumer group " + group +
            (given.empty() ? " (named after " + sink_option + ")" : ""));
  }
  return group;
}

}  // namespace shopstream::cli
