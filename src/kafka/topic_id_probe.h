// A topic's id, asked of a bootstrap broker with one Metadata request (metadata_wire.h) over a
// connection of our own: librdkafka 2.0.2 does not expose topic ids. Plain TCP only: a
// listener that wants TLS or SASL is not asked (ProbeCanConnect is false, and the caller goes
// on without the check, saying so), since speaking those here would duplicate librdkafka's
// security code.
#pragma once

#include <chrono>
#include <string>

#include "common/status.h"
#include "kafka/kafka_config.h"
#include "kafka/metadata_wire.h"

namespace shopstream::kafka {

// Whether the settings (after the URI's and the option file's) let the probe talk to the
// brokers: security.protocol unset or PLAINTEXT.
bool ProbeCanConnect(const Settings& settings);

// Asks the brokers of `brokers` ("HOST:PORT,HOST:PORT"), one after another, until one answers
// within `timeout`. NotFound when the topic does not exist, Unavailable when none answers;
// an all-zero id when the broker keeps none (a Kafka before 2.8).
Result<TopicId> FetchTopicId(const std::string& brokers, const std::string& topic,
                             std::chrono::milliseconds timeout);

}  // namespace shopstream::kafka
