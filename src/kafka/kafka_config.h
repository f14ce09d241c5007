// Turns a kafka:// URI into broker list, topic and librdkafka settings, and classifies
// librdkafka errors for Status.
#pragma once

#include <librdkafka/rdkafka.h>

#include <chrono>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "common/status.h"
#include "common/uri.h"
#include "kafka/kafka_handles.h"

namespace shopstream::kafka {

using Settings = std::vector<std::pair<std::string, std::string>>;

// librdkafka's socket.timeout.ms for our producers and consumers: how long a request may go
// unanswered before it is given up and sent again (to a new leader or coordinator, once the
// cluster has fenced the silent broker). librdkafka's default, 60 s, stalled the stream for
// a minute behind a paused broker that the cluster had fenced after 9 s. ?rdkafka.* wins.
inline constexpr const char* kSocketTimeoutMs = "10000";

struct Endpoint {
  std::string brokers;  // "host:port,host:port"
  std::string topic;
  // librdkafka settings, later ones winning: the option file's, the URI's rdkafka.* parameters,
  // then the credentials of the environment.
  Settings passthrough;
};

// Parses the URI. Query keys other than rdkafka.* and option-file must be in `known_keys`;
// anything else is refused so that a typo is not silently ignored. Secrets never come from the
// URI (an rdkafka.* key naming a password or secret is refused): they come from an option file
// of librdkafka `key=value` lines (?option-file=PATH or SHOPSTREAM_KAFKA_OPTION_FILE) and from
// SHOPSTREAM_KAFKA_USER / SHOPSTREAM_KAFKA_PASSWORD (sasl.username / sasl.password).
Result<Endpoint> ParseEndpoint(const Uri& uri, const std::set<std::string>& known_keys);

// The settings of a librdkafka option file: `key=value` lines; blank lines and lines starting
// with '#' are skipped. InvalidArgument naming the file and line for anything else.
Result<Settings> ReadOptionFile(const std::string& path);

// Builds a configuration from `settings` (later entries win). `where` names the URI. A refused
// setting is named with its value masked when its key names a secret.
Result<ConfPtr> MakeConf(const Settings& settings, const std::string& where);

// Routes librdkafka's own log lines to shopstream's log.
void InstallLogger(rd_kafka_conf_t* conf);

// Decides whether an error is logged now: the same error at most once every 10 s, so that
// an outage does not flood the log.
class ErrorThrottle {
 public:
  bool ShouldLog(rd_kafka_resp_err_t err);

 private:
  rd_kafka_resp_err_t last_ = RD_KAFKA_RESP_ERR_NO_ERROR;
  std::chrono::steady_clock::time_point last_at_;
};

// True for errors that go away by themselves (broker restart, leader change, time-outs).
bool IsTransient(rd_kafka_resp_err_t err);

// Unavailable for transient errors, Internal otherwise, with `context` and librdkafka's text.
Status StatusFromError(rd_kafka_resp_err_t err, const std::string& context);

}  // namespace shopstream::kafka
