// The Kafka connector: a Publisher and a MessageSource on librdkafka for URIs
//   kafka://HOST:PORT[,HOST:PORT...]/TOPIC[?rdkafka.KEY=VALUE&...]
// Every `rdkafka.KEY=VALUE` query parameter is handed to librdkafka as KEY=VALUE, after the
// connector's own settings, so it can override them. See docs/kafka.md.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "bus/bus.h"
#include "common/status.h"
#include "common/uri.h"

namespace shopstream::kafka {

struct KafkaPublisherOptions {
  // The topic is created with these if missing; an existing topic is used as it is.
  // URI parameter `partitions=N` overrides `partitions`.
  bool create_topic = true;
  int partitions = 4;
  // -1: the brokers' default.replication.factor (1 on the single-node stack, 3 on a cluster).
  int replication_factor = -1;
  // Bound of librdkafka's local queue; Publish() blocks while it is full (backpressure).
  int queue_messages = 100000;
  std::string compression = "lz4";  // lz4 | zstd | gzip | snappy | none
  // How long topic creation and metadata look-ups may take before Unavailable.
  std::chrono::milliseconds admin_timeout{15000};
};

// Where a partition starts when the assignment listener has no offset for it.
enum class StartPosition { kEarliest, kLatest };

struct KafkaSourceOptions {
  // URI parameters `group=NAME` and `start=earliest|latest` override these.
  std::string group = "shopstream";
  StartPosition start = StartPosition::kEarliest;
  // At open: with `require_topic`, no broker answering the metadata request within
  // `connect_timeout` is Unavailable and a missing topic NotFound; without, both are waited
  // for (a warning says so).
  bool require_topic = false;
  std::chrono::milliseconds connect_timeout{5000};
  bool reset_to_earliest = false;  // see SourceOptions (endpoints/open_bus.h)
};

// Opens a producer for the URI's topic, creating the topic if needed. Unavailable when no
// broker answers; InvalidArgument for a bad URI or setting.
Result<std::unique_ptr<bus::Publisher>> OpenKafkaPublisher(const Uri& uri,
                                                           const KafkaPublisherOptions& options);

// Opens a consumer-group member subscribed to the URI's topic. Partitions are assigned
// during PollInto(); see KafkaSource.
Result<std::unique_ptr<bus::MessageSource>> OpenKafkaSource(const Uri& uri,
                                                            const KafkaSourceOptions& options);

}  // namespace shopstream::kafka
