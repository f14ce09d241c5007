#include "kafka/kafka_bus.h"

#include "kafka/kafka_publisher.h"
#include "kafka/kafka_source.h"

namespace shopstream::kafka {

Result<std::unique_ptr<bus::Publisher>> OpenKafkaPublisher(const Uri& uri,
                                                           const KafkaPublisherOptions& options) {
  auto publisher = KafkaPublisher::Open(uri, options);
  if (!publisher.ok()) return publisher.status();
  return std::unique_ptr<bus::Publisher>(std::move(publisher).value());
}

Result<std::unique_ptr<bus::MessageSource>> OpenKafkaSource(const Uri& uri,
                                                            const KafkaSourceOptions& options) {
  auto source = KafkaSource::Open(uri, options);
  if (!source.ok()) return source.status();
  return std::unique_ptr<bus::MessageSource>(std::move(source).value());
}

}  // namespace shopstream::kafka
