#include "bus/kafka/kafka_source.h"

#include <algorithm>
#include <cstring>

#include "bus/kafka/fetch_waker.h"
#include "bus/kafka/kafka_admin.h"
#include "bus/kafka/kafka_config.h"
#include "bus/kafka/kafka_handles.h"
#include "common/log.h"

namespace shopstream {
namespace {

constexpr std::chrono::milliseconds kTopicCheckTimeout{5000};

bool IsCooperative(rd_kafka_t* rk) {
  return std::strcmp(rd_kafka_rebalance_protocol(rk), "COOPERATIVE") == 0;
}

}  // namespace

Result<std::unique_ptr<KafkaSource>> KafkaSource::Open(const Uri& uri,
                                                       const KafkaSourceOptions& options) {
  auto endpoint = kafka::ParseEndpoint(uri, {"group", "start"});
  if (!endpoint.ok()) return endpoint.status();
  std::string group = uri.Param("group", options.group);
  if (group.empty())
    return Status::InvalidArgument("'" + uri.text + "': the consumer group name is empty");
  StartPosition start = options.start;
  if (std::string s = uri.Param("start"); s == "earliest") {
    start = StartPosition::kEarliest;
  } else if (s == "latest") {
    start = StartPosition::kLatest;
  } else if (!s.empty()) {
    return Status::InvalidArgument("'" + uri.text + "': start must be earliest or latest, not '" +
                                   s + "'");
  }

  kafka::Settings settings = {
      {"bootstrap.servers", endpoint->brokers},
      {"client.id", "shopstream-process"},
      {"group.id", group},
      // Offsets of record live with the rows; Kafka's are written only for lag tools.
      {"enable.auto.commit", "false"},
      {"enable.auto.offset.store", "false"},
      {"auto.offset.reset", start == StartPosition::kEarliest ? "earliest" : "latest"},
      // Notice a topic created after we subscribed within seconds, not minutes.
      {"topic.metadata.refresh.interval.ms", "10000"},
      // Prefetch a few micro-batches ahead (a full batch of 20,000 seed messages is about 7 MB),
      // not librdkafka's default 64 MB: the processor's memory stays small in a backlog.
      {"queued.max.messages.kbytes", "16384"},
  };
  settings.insert(settings.end(), endpoint->passthrough.begin(), endpoint->passthrough.end());
  auto conf = kafka::MakeConf(settings, uri.text);
  if (!conf.ok()) return conf.status();

  std::unique_ptr<KafkaSource> source(new KafkaSource(
      endpoint->topic, uri.text,
      start == StartPosition::kEarliest ? RD_KAFKA_OFFSET_BEGINNING : RD_KAFKA_OFFSET_END));
  rd_kafka_conf_set_rebalance_cb(conf->get(), &KafkaSource::OnRebalance);
  rd_kafka_conf_set_offset_commit_cb(conf->get(), &KafkaSource::OnCommit);
  rd_kafka_conf_set_error_cb(conf->get(), &KafkaSource::OnError);
  rd_kafka_conf_set_opaque(conf->get(), source.get());
  kafka::InstallLogger(conf->get());

  char errstr[512];
  source->consumer_ = rd_kafka_new(RD_KAFKA_CONSUMER, conf->get(), errstr, sizeof errstr);
  if (!source->consumer_) {
    return Status::InvalidArgument("cannot create a Kafka consumer for '" + uri.text +
                                   "': " + errstr);
  }
  conf->release();
  rd_kafka_poll_set_consumer(source->consumer_);
  source->waker_ = std::make_unique<kafka::FetchWaker>(source->consumer_, source->topic_);

  // A local handle on the topic before the metadata below, so that its partitions' leaders are
  // known when the group assigns them: otherwise librdkafka learns them only after the
  // assignment and resolves the start offsets half a second later.
  source->topic_handle_ = rd_kafka_topic_new(source->consumer_, source->topic_.c_str(), nullptr);
  // A missing topic or a silent broker is waited for (produce may create the topic later),
  // with a warning; or refused at once when the caller requires the topic now.
  Result<int> partitions = kafka::TopicPartitionCount(
      source->consumer_, source->topic_,
      options.require_topic ? options.connect_timeout : kTopicCheckTimeout);
  if (!partitions.ok() && options.require_topic) {
    const Status& s = partitions.status();
    if (s.code() == StatusCode::kNotFound) return Status::NotFound(uri.text + ": " + s.message());
    return Status::Unavailable(uri.text + ": no Kafka broker answered within " +
                               std::to_string(options.connect_timeout.count()) +
                               " ms (is a broker listening at " + endpoint->brokers +
                               "? a typo in the host or port?): " + s.message());
  }
  if (!partitions.ok())
    LogWarn(uri.text + ": " + partitions.status().message() + "; waiting for it");

  kafka::PartitionListPtr subscription(rd_kafka_topic_partition_list_new(1));
  rd_kafka_topic_partition_list_add(subscription.get(), source->topic_.c_str(),
                                    RD_KAFKA_PARTITION_UA);
  if (rd_kafka_resp_err_t err = rd_kafka_subscribe(source->consumer_, subscription.get())) {
    return kafka::StatusFromError(err, "subscribing to '" + uri.text + "'");
  }
  LogInfo(uri.text + ": joined consumer group '" + group + "'");
  return source;
}

KafkaSource::~KafkaSource() {
  waker_.reset();  // its thread uses the consumer
  if (!consumer_) return;
  rd_kafka_consumer_close(consumer_);
  if (topic_handle_) rd_kafka_topic_destroy(topic_handle_);
  rd_kafka_destroy(consumer_);
}

void KafkaSource::OnRebalance(rd_kafka_t* rk, rd_kafka_resp_err_t err,
                              rd_kafka_topic_partition_list_t* partitions, void* opaque) {
  auto* self = static_cast<KafkaSource*>(opaque);
  ++self->rebalances_;
  if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
    self->Assign(partitions);
  } else if (err == RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS) {
    self->Revoke(partitions);
  } else {
    LogWarn(self->where_ + ": rebalance failed: " + rd_kafka_err2str(err));
    if (self->revocation_listener_) self->revocation_listener_(self->assignment());
    self->positions_.clear();
    self->epochs_.clear();
    rd_kafka_assign(rk, nullptr);
  }
}

void KafkaSource::Assign(rd_kafka_topic_partition_list_t* partitions) {
  std::vector<int32_t> ours;
  for (int i = 0; i < partitions->cnt; ++i) {
    if (topic_ == partitions->elems[i].topic) ours.push_back(partitions->elems[i].partition);
  }
  OffsetMap resume = listener_ ? listener_(ours) : OffsetMap{};
  std::string described;
  for (int i = 0; i < partitions->cnt; ++i) {
    rd_kafka_topic_partition_t& p = partitions->elems[i];
    auto it = resume.find(p.partition);
    p.offset = it != resume.end() ? it->second : start_offset_;
    positions_[p.partition] = p.offset;
    epochs_[p.partition] = rebalances_;
    described.append(" ").append(std::to_string(p.partition)).append("@");
    described.append(p.offset >= 0                           ? std::to_string(p.offset)
                     : p.offset == RD_KAFKA_OFFSET_BEGINNING ? "earliest"
                                                             : "latest");
  }
  LogInfo(where_ + ": assigned partitions" + described);
  if (IsCooperative(consumer_)) {
    if (rd_kafka_error_t* error = rd_kafka_incremental_assign(consumer_, partitions)) {
      LogError(where_ + ": assigning partitions failed: " + rd_kafka_error_string(error));
      rd_kafka_error_destroy(error);
    }
  } else if (rd_kafka_resp_err_t err = rd_kafka_assign(consumer_, partitions)) {
    LogError(where_ + ": assigning partitions failed: " + rd_kafka_err2str(err));
  }
}

void KafkaSource::Revoke(rd_kafka_topic_partition_list_t* partitions) {
  if (revocation_listener_) {
    std::vector<int32_t> ours;
    for (int i = 0; i < partitions->cnt; ++i) {
      if (topic_ == partitions->elems[i].topic) ours.push_back(partitions->elems[i].partition);
    }
    revocation_listener_(ours);
  }
  std::string described;
  for (int i = 0; i < partitions->cnt; ++i) {
    positions_.erase(partitions->elems[i].partition);
    epochs_.erase(partitions->elems[i].partition);
    described.append(" ").append(std::to_string(partitions->elems[i].partition));
  }
  LogInfo(where_ + ": revoked partitions" + described);
  if (IsCooperative(consumer_)) {
    if (rd_kafka_error_t* error = rd_kafka_incremental_unassign(consumer_, partitions)) {
      rd_kafka_error_destroy(error);
    }
  } else {
    positions_.clear();
    epochs_.clear();
    rd_kafka_assign(consumer_, nullptr);
  }
}

void KafkaSource::DropReassigned(std::vector<Message>& messages, size_t first,
                                 std::vector<uint64_t>& epochs) const {
  size_t kept = 0;
  for (size_t i = 0; i < epochs.size(); ++i) {
    auto epoch = epochs_.find(messages[first + i].partition);
    if (epoch == epochs_.end() || epoch->second != epochs[i]) continue;
    messages[first + kept] = messages[first + i];
    epochs[kept] = epochs[i];
    ++kept;
  }
  messages.resize(first + kept);
  epochs.resize(kept);
}

void KafkaSource::OnCommit(rd_kafka_t*, rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t*,
                           void* opaque) {
  // Commits only feed lag tools; a failed one is followed by the next batch's.
  if (err && err != RD_KAFKA_RESP_ERR__NO_OFFSET) {
    static_cast<KafkaSource*>(opaque)->LogCommitFailure(err);
  }
}

void KafkaSource::OnError(rd_kafka_t*, int err, const char* reason, void* opaque) {
  // Served by rd_kafka_consumer_poll(), on the thread that calls PollInto().
  auto* self = static_cast<KafkaSource*>(opaque);
  auto code = static_cast<rd_kafka_resp_err_t>(err);
  if (code == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN) self->all_brokers_down_ = true;
  if (code == RD_KAFKA_RESP_ERR__FATAL) self->fatal_ = true;
  self->LogBrokerError(code, reason);
}

void KafkaSource::LogCommitFailure(rd_kafka_resp_err_t err) {
  // Only lag tools read these offsets, and the next batch commits again: a warning.
  if (!throttle_.ShouldLog(err)) return;
  LogWarn(where_ + ": committing offsets for lag tools: " + rd_kafka_err2str(err));
}

void KafkaSource::LogBrokerError(rd_kafka_resp_err_t err, const std::string& text) {
  if (!throttle_.ShouldLog(err)) return;
  std::string line = where_ + ": " + text + " (" + rd_kafka_err2name(err) + ")";
  kafka::IsTransient(err) ? LogWarn(line) : LogError(line);
}

int64_t KafkaSource::UnfetchedLag(int32_t partition, int64_t position) const {
  int64_t low = 0, high = 0;
  if (rd_kafka_get_watermark_offsets(consumer_, topic_.c_str(), partition, &low, &high) ||
      high < 0) {
    return -1;
  }
  int64_t next = position;
  if (next == RD_KAFKA_OFFSET_BEGINNING) next = std::max<int64_t>(low, 0);
  if (next < 0) next = high;  // latest, or any other logical offset
  return std::max<int64_t>(0, high - next);
}

std::vector<int32_t> KafkaSource::PartitionsBehind() const {
  std::vector<int32_t> behind;
  for (const auto& [partition, position] : positions_) {
    // Unknown before the first fetch answers: the first fetch is woken too.
    if (UnfetchedLag(partition, position) != 0) behind.push_back(partition);
  }
  return behind;
}

Status KafkaSource::PollInto(size_t max_messages, std::chrono::milliseconds timeout,
                             MessageBatch* out) {
  std::vector<Message>& messages = out->messages();
  const size_t first = messages.size();  // this call's messages are messages[first...]
  // Assignment epoch of each message's partition when fetched (member: reused between calls).
  std::vector<uint64_t>& epochs = epochs_seen_;
  epochs.clear();
  auto taken = [&] { return messages.size() - first; };
  auto deadline = std::chrono::steady_clock::now() + timeout;
  uint64_t rebalances_seen = rebalances_;
  // Fetchers stopped by a full prefetch queue are woken (fetch_waker.h) when this call finds
  // the queue drained, before it blocks or returns, and when it returns messages while the
  // leaders hold more, so that the queue refills while the caller works on this batch.
  bool drained = false;
  while (taken() < max_messages) {
    int wait_ms = 0;
    if (taken() == 0 && drained) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      wait_ms = static_cast<int>(std::max<int64_t>(0, left.count()));
    }
    kafka::MessagePtr message(rd_kafka_consumer_poll(consumer_, wait_ms));
    if (rebalances_ != rebalances_seen) {
      // Messages of partitions revoked or assigned anew since they were fetched are read
      // again from the offsets the listener gave; those of partitions kept stay.
      DropReassigned(messages, first, epochs);
      rebalances_seen = rebalances_;
    }
    if (fatal_) {
      char reason[512];
      rd_kafka_fatal_error(consumer_, reason, sizeof reason);
      messages.resize(first);  // a failed call appends nothing
      return Status::Internal(where_ + ": the Kafka consumer failed for good: " + reason);
    }
    if (all_brokers_down_ && taken() == 0) {
      all_brokers_down_ = false;  // librdkafka keeps reconnecting; the caller retries
      return Status::Unavailable(where_ + ": all Kafka brokers are down");
    }
    if (!message) {
      if (!drained) {
        drained = true;
        waker_->Wake(PartitionsBehind());
      }
      if (wait_ms == 0 && taken() == 0 && std::chrono::steady_clock::now() < deadline) continue;
      break;
    }
    if (message->err) {
      char reason[512];
      if (rd_kafka_fatal_error(consumer_, reason, sizeof reason)) {
        messages.resize(first);
        return Status::Internal(where_ + ": the Kafka consumer failed for good: " + reason);
      }
      if (message->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) continue;
      LogBrokerError(message->err, rd_kafka_message_errstr(message.get()));
      continue;
    }
    auto position = positions_.find(message->partition);
    if (position == positions_.end()) continue;  // fetched before its partition was revoked
    position->second = message->offset + 1;
    out->Add(message->partition, message->offset,
             std::string_view(static_cast<const char*>(message->payload), message->len));
    epochs.push_back(epochs_[message->partition]);
  }
  if (taken() > 0 && !drained) waker_->Wake(PartitionsBehind());
  std::stable_sort(messages.begin() + static_cast<std::ptrdiff_t>(first), messages.end(),
                   [](const Message& a, const Message& b) { return a.partition < b.partition; });
  return Status::Ok();
}

Status KafkaSource::Acknowledge(const OffsetMap& next_offsets) {
  kafka::PartitionListPtr offsets(
      rd_kafka_topic_partition_list_new(static_cast<int>(next_offsets.size())));
  for (const auto& [partition, offset] : next_offsets) {
    if (!positions_.contains(partition) || offset < 0) continue;  // no longer ours
    rd_kafka_topic_partition_list_add(offsets.get(), topic_.c_str(), partition)->offset = offset;
  }
  if (offsets->cnt == 0) return Status::Ok();
  if (rd_kafka_resp_err_t err = rd_kafka_commit(consumer_, offsets.get(), 1)) {
    LogCommitFailure(err);
  }
  return Status::Ok();
}

int64_t KafkaSource::Lag() {
  if (positions_.empty()) return 0;
  int64_t lag = 0;
  bool known = false;
  for (const auto& [partition, position] : positions_) {
    const int64_t behind = UnfetchedLag(partition, position);
    if (behind < 0) continue;
    lag += behind;
    known = true;
  }
  return known ? lag : -1;
}

std::vector<int32_t> KafkaSource::assignment() const {
  std::vector<int32_t> partitions;
  for (const auto& [partition, position] : positions_) partitions.push_back(partition);
  return partitions;
}

}  // namespace shopstream
