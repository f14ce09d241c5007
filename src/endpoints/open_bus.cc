#include "endpoints/open_bus.h"

#include <cstdlib>

#include "common/uri.h"
#include "kafka/kafka_bus.h"
#include "sqlite/sqlite_log.h"

namespace shopstream::endpoints {
namespace {
Status UnknownScheme(const Uri& uri) {
  return Status::InvalidArgument("'" + uri.text + "': unknown bus scheme '" + uri.scheme +
                                 "' (use sqlite:///PATH or kafka://HOST:PORT/TOPIC)");
}
}  // namespace

Result<std::unique_ptr<bus::Publisher>> OpenPublisher(const std::string& text,
                                                      const PublisherOptions& options) {
  if (Status s = CheckScheme(text, {"sqlite", "kafka"}); !s.ok()) return s;
  auto uri = ParseUri(text);
  if (!uri.ok()) return uri.status();
  if (uri->scheme == "sqlite") {
    if (Status s = uri->CheckParams({"retain"}); !s.ok()) return s;
    std::string retain = uri->Param("retain", "0");
    char* end = nullptr;
    long long keep = std::strtoll(retain.c_str(), &end, 10);
    if (retain.empty() || *end != '\0' || keep < 0) {
      return Status::InvalidArgument("'" + uri->text + "': retain should be a number of messages");
    }
    return sqlite::OpenSqliteLogPublisher(uri->path, keep);
  }
  if (uri->scheme == "kafka") {
    kafka::KafkaPublisherOptions kafka;
    kafka.partitions = options.partitions;
    kafka.admin_timeout = options.connect_timeout;
    return kafka::OpenKafkaPublisher(*uri, kafka);
  }
  return UnknownScheme(*uri);
}

Result<std::unique_ptr<bus::MessageSource>> OpenSource(const std::string& text,
                                                       const SourceOptions& options) {
  if (Status s = CheckScheme(text, {"sqlite", "kafka"}); !s.ok()) return s;
  auto uri = ParseUri(text);
  if (!uri.ok()) return uri.status();
  if (uri->scheme == "sqlite") {
    // retain is the publisher's; the same URI may be given to both.
    if (Status s = uri->CheckParams({"retain"}); !s.ok()) return s;
    return sqlite::OpenSqliteLogSource(uri->path, options.start_latest);
  }
  if (uri->scheme == "kafka") {
    kafka::KafkaSourceOptions kafka;
    kafka.group = options.group;
    kafka.start =
        options.start_latest ? kafka::StartPosition::kLatest : kafka::StartPosition::kEarliest;
    kafka.require_topic = options.require_topic;
    kafka.connect_timeout = options.connect_timeout;
    kafka.reset_to_earliest = options.reset_to_earliest;
    return kafka::OpenKafkaSource(*uri, kafka);
  }
  return UnknownScheme(*uri);
}

}  // namespace shopstream::endpoints
