// Opens a bus endpoint by URI scheme: sqlite:///PATH (embedded log) or kafka://HOST:PORT/TOPIC.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "bus/bus.h"
#include "common/status.h"

namespace shopstream::endpoints {

struct PublisherOptions {
  int partitions = 1;  // for a topic that has to be created
  // How long the Kafka brokers may take to answer at open (metadata, topic creation).
  std::chrono::milliseconds connect_timeout{15000};
};

struct SourceOptions {
  std::string group = "shopstream";  // consumer group (Kafka)
  bool start_latest = false;         // where partitions with no stored offset begin
  // Kafka at open: when set, a broker must answer the metadata request within
  // `connect_timeout` (else Unavailable) and the topic must exist (else NotFound); when not,
  // both are waited for.
  bool require_topic = false;
  std::chrono::milliseconds connect_timeout{5000};
  // A saved offset beyond a partition's end (a recreated topic): false stops with an error,
  // true reads the partition again from its earliest offset (MessageSource::TakeResets).
  bool reset_to_earliest = false;
};

Result<std::unique_ptr<bus::Publisher>> OpenPublisher(const std::string& uri,
                                                      const PublisherOptions& options);
Result<std::unique_ptr<bus::MessageSource>> OpenSource(const std::string& uri,
                                                       const SourceOptions& options);

}  // namespace shopstream::endpoints
