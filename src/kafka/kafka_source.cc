#include "kafka/kafka_source.h"

#include <algorithm>
#include <cstring>

#include "common/log.h"
#include "kafka/fetch_waker.h"
#include "kafka/kafka_admin.h"
#include "kafka/kafka_config.h"
#include "kafka/kafka_handles.h"
#include "kafka/topic_id_probe.h"

namespace shopstream::kafka {
namespace {

constexpr std::chrono::milliseconds kTopicCheckTimeout{5000};
// Reading a partition's end at assignment, for --start latest.
constexpr int kWatermarkTimeoutMs = 10000;
// How often a running source asks whether its topic was deleted and created again.
constexpr std::chrono::seconds kIdCheckInterval{5};
constexpr std::chrono::milliseconds kIdProbeTimeout{2000};

std::string Positions(const OffsetMap& offsets) {
  std::string out;
  for (const auto& [partition, offset] : offsets) {
    out += (out.empty() ? "" : ", ") + std::to_string(partition) + "@" + std::to_string(offset);
  }
  return out.empty() ? "none" : out;
}

// Whether `conf` makes the group cooperative: librdkafka refuses a list that mixes the
// cooperative strategy with eager ones, so one cooperative name decides.
bool ConfiguresCooperative(rd_kafka_conf_t* conf) {
  char value[256];
  size_t size = sizeof value;
  if (rd_kafka_conf_get(conf, "partition.assignment.strategy", value, &size) != RD_KAFKA_CONF_OK) {
    return false;
  }
  return std::strstr(value, "cooperative-sticky") != nullptr;
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
      // A position out of range is never reset in silence: PollInto decides (OutOfRange).
      {"auto.offset.reset", "error"},
      // Notice a topic created after we subscribed within seconds, not minutes.
      {"topic.metadata.refresh.interval.ms", "10000"},
      // Prefetch a few micro-batches ahead (a full batch of 20,000 seed messages is about 7 MB),
      // not librdkafka's default 64 MB: the processor's memory stays small in a backlog.
      {"queued.max.messages.kbytes", "16384"},
      // A paused broker (leader or group coordinator) keeps its connections open: see
      // kSocketTimeoutMs.
      {"socket.timeout.ms", kafka::kSocketTimeoutMs},
  };
  settings.insert(settings.end(), endpoint->passthrough.begin(), endpoint->passthrough.end());
  auto conf = kafka::MakeConf(settings, uri.text);
  if (!conf.ok()) return conf.status();

  std::unique_ptr<KafkaSource> source(new KafkaSource(
      endpoint->topic, uri.text,
      start == StartPosition::kEarliest ? RD_KAFKA_OFFSET_BEGINNING : RD_KAFKA_OFFSET_END));
  source->reset_to_earliest_ = options.reset_to_earliest;
  source->brokers_ = endpoint->brokers;
  source->probe_ = kafka::ProbeCanConnect(settings);
  source->cooperative_ = ConfiguresCooperative(conf->get());
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
  if (!source->probe_) {
    LogInfo(uri.text +
            ": the topic's id is not checked (the brokers want TLS or SASL, which "
            "the id probe does not speak): a topic deleted and created again is noticed only "
            "when a saved offset is beyond its end (docs/kafka.md, Topic ids)");
  } else if (source->topic_id_ = source->CurrentTopicId(); !source->topic_id_.empty()) {
    LogInfo(uri.text + ": topic id " + source->topic_id_);
  }
  source->next_id_check_ = std::chrono::steady_clock::now() + kIdCheckInterval;
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
  if (rd_kafka_consumer_closed(rk)) {
    // Closing (a run that ends before its first poll meets its first assignment here): take
    // nothing and give everything back, or the close waits for an assignment that stays.
    self->positions_.clear();
    self->epochs_.clear();
    if (!self->cooperative_) {
      rd_kafka_assign(rk, nullptr);
    } else if (err == RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS) {
      if (rd_kafka_error_t* error = rd_kafka_incremental_unassign(rk, partitions)) {
        rd_kafka_error_destroy(error);
      }
    }
    return;
  }
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
  CheckStoredId(ours, resume);
  std::string described;
  for (int i = 0; i < partitions->cnt; ++i) {
    rd_kafka_topic_partition_t& p = partitions->elems[i];
    auto it = resume.find(p.partition);
    p.offset = it != resume.end() ? it->second : StartOffset(p.partition);
    positions_[p.partition] = p.offset;
    epochs_[p.partition] = rebalances_;
    described.append(" ").append(std::to_string(p.partition)).append("@");
    described.append(p.offset >= 0                           ? std::to_string(p.offset)
                     : p.offset == RD_KAFKA_OFFSET_BEGINNING ? "earliest"
                                                             : "latest");
  }
  LogInfo(where_ + ": assigned partitions" + described);
  if (cooperative_) {
    if (rd_kafka_error_t* error = rd_kafka_incremental_assign(consumer_, partitions)) {
      LogError(where_ + ": assigning partitions failed: " + rd_kafka_error_string(error));
      rd_kafka_error_destroy(error);
    }
  } else if (rd_kafka_resp_err_t err = rd_kafka_assign(consumer_, partitions)) {
    LogError(where_ + ": assigning partitions failed: " + rd_kafka_err2str(err));
  }
}

int64_t KafkaSource::StartOffset(int32_t partition) {
  if (start_offset_ != RD_KAFKA_OFFSET_END) return start_offset_;
  // "Latest" as a number, so that it can be stored: a restart resumes here, not at a new end.
  int64_t low = 0, high = 0;
  if (rd_kafka_resp_err_t err = rd_kafka_query_watermark_offsets(
          consumer_, topic_.c_str(), partition, &low, &high, kWatermarkTimeoutMs)) {
    LogWarn(where_ + ": partition " + std::to_string(partition) +
            " starts at its end, which could not be read to be stored (" + rd_kafka_err2str(err) +
            "): a restart before its first message starts at the end again");
    return start_offset_;
  }
  start_positions_[partition] = high;
  return high;
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
    start_positions_.erase(partitions->elems[i].partition);
    positions_.erase(partitions->elems[i].partition);
    epochs_.erase(partitions->elems[i].partition);
    described.append(" ").append(std::to_string(partitions->elems[i].partition));
  }
  LogInfo(where_ + ": revoked partitions" + described);
  if (cooperative_) {
    if (rd_kafka_error_t* error = rd_kafka_incremental_unassign(consumer_, partitions)) {
      rd_kafka_error_destroy(error);
    }
  } else {
    positions_.clear();
    epochs_.clear();
    rd_kafka_assign(consumer_, nullptr);
  }
}

void KafkaSource::DropReassigned(std::vector<bus::Message>& messages, size_t first,
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

std::string KafkaSource::CurrentTopicId() {
  if (!probe_) return "";
  auto id = kafka::FetchTopicId(brokers_, topic_, kIdProbeTimeout);
  if (!id.ok() || kafka::IsZeroTopicId(*id)) return "";
  return kafka::FormatTopicId(*id);
}

int64_t KafkaSource::EarliestOffset(int32_t partition) {
  int64_t low = 0, high = 0;
  if (rd_kafka_query_watermark_offsets(consumer_, topic_.c_str(), partition, &low, &high,
                                       kWatermarkTimeoutMs)) {
    return 0;  // a recreated topic's partitions begin at 0 until retention deletes some
  }
  return low;
}

void KafkaSource::CheckStoredId(const std::vector<int32_t>& partitions, OffsetMap& resume) {
  if (!probe_ || stored_id_.empty() || resume.empty()) return;
  if (std::string now = CurrentTopicId(); !now.empty()) topic_id_ = now;
  if (topic_id_.empty() || topic_id_ == stored_id_) return;
  const std::string what = where_ + ": topic '" + topic_ + "' has id " + topic_id_ +
                           ", but the saved offsets (" + Positions(resume) +
                           ") were read from a topic of that name with id " + stored_id_ +
                           ", deleted and created again since";
  if (!reset_to_earliest_) {
    id_failure_ = Status::Corruption(
        what +
        "; nothing was read. To read the new topic from its start into the same table, "
        "run `process` again with --on-reset earliest (an archive needs a new folder)");
    return;
  }
  for (int32_t partition : partitions) {
    if (!resume.contains(partition)) continue;
    resume[partition] = resets_[partition] = EarliestOffset(partition);
  }
  LogWarn(what + "; reading it again from " + Positions(resets_) + " (--on-reset earliest)");
  stored_id_ = topic_id_;
}

Status KafkaSource::CheckIdUnchanged() {
  const auto now = std::chrono::steady_clock::now();
  if (!probe_ || positions_.empty() || now < next_id_check_) return Status::Ok();
  next_id_check_ = now + kIdCheckInterval;
  const std::string id = CurrentTopicId();
  if (id.empty() || id == topic_id_) return Status::Ok();
  if (topic_id_.empty()) {
    topic_id_ = id;
    return Status::Ok();
  }
  OffsetMap reading(positions_.begin(), positions_.end());
  const std::string what = where_ + ": topic '" + topic_ + "' was deleted and created again " +
                           "while it was read (its id was " + topic_id_ + ", it is " + id +
                           " now; reading at " + Positions(reading) + ")";
  if (!reset_to_earliest_) {
    return Status::Corruption(what +
                              ". Nothing more is read. To read the new topic from its "
                              "start into the same table, run `process` again with "
                              "--on-reset earliest (an archive needs a new folder)");
  }
  topic_id_ = stored_id_ = id;
  return ReadAllAgain(what);
}

Status KafkaSource::ReadAllAgain(const std::string& why) {
  ++rebalances_;  // what this poll read of the old positions is dropped
  kafka::PartitionListPtr list(
      rd_kafka_topic_partition_list_new(static_cast<int>(positions_.size())));
  for (auto& [partition, position] : positions_) {
    position = resets_[partition] = EarliestOffset(partition);
    epochs_[partition] = rebalances_;
    rd_kafka_topic_partition_list_add(list.get(), topic_.c_str(), partition)->offset = position;
  }
  LogWarn(why + "; reading it again from " + Positions(resets_) + " (--on-reset earliest)");
  if (cooperative_) {
    rd_kafka_error_t* error = rd_kafka_incremental_unassign(consumer_, list.get());
    if (!error) error = rd_kafka_incremental_assign(consumer_, list.get());
    if (error) {
      Status s =
          Status::Internal(where_ + ": positioning partitions: " + rd_kafka_error_string(error));
      rd_kafka_error_destroy(error);
      return s;
    }
    return Status::Ok();
  }
  if (rd_kafka_resp_err_t err = rd_kafka_assign(consumer_, list.get())) {
    return Status::Internal(where_ + ": positioning partitions: " + rd_kafka_err2str(err));
  }
  return Status::Ok();
}

Status KafkaSource::PollInto(size_t max_messages, std::chrono::milliseconds timeout,
                             bus::MessageBatch* out) {
  if (!id_failure_.ok()) return id_failure_;
  if (Status s = CheckIdUnchanged(); !s.ok()) return s;
  std::vector<bus::Message>& messages = out->messages();
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
      if (message->err == RD_KAFKA_RESP_ERR__AUTO_OFFSET_RESET) {
        if (Status s = OutOfRange(message->partition); !s.ok()) {
          messages.resize(first);
          return s;
        }
        continue;
      }
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
  if (!id_failure_.ok()) {
    messages.resize(first);  // nothing of a recreated topic is returned
    return id_failure_;
  }
  if (taken() > 0 && !drained) waker_->Wake(PartitionsBehind());
  std::stable_sort(
      messages.begin() + static_cast<std::ptrdiff_t>(first), messages.end(),
      [](const bus::Message& a, const bus::Message& b) { return a.partition < b.partition; });
  return Status::Ok();
}

Status KafkaSource::OutOfRange(int32_t partition) {
  auto position = positions_.find(partition);
  if (position == positions_.end()) return Status::Ok();  // revoked meanwhile
  const int64_t next = position->second;
  int64_t low = 0, high = 0;
  if (rd_kafka_resp_err_t err = rd_kafka_query_watermark_offsets(
          consumer_, topic_.c_str(), partition, &low, &high, kWatermarkTimeoutMs)) {
    // The partition stays stopped until it is positioned: resume at the same offset, and
    // meet the error again if it still holds.
    LogWarn(where_ + ": partition " + std::to_string(partition) + ": offset " +
            std::to_string(next) +
            " is out of range and the partition's range could not be read (" +
            rd_kafka_err2str(err) + "); trying again");
    return Seek(partition, next);
  }
  const std::string named = where_ + ": partition " + std::to_string(partition) + " (offsets " +
                            std::to_string(low) + " to " + std::to_string(high) + " held)";
  if (next > high && reset_to_earliest_) {
    LogWarn(named + ": the saved offset " + std::to_string(next) +
            " is beyond the partition's end (the topic was deleted and recreated, or purged); "
            "reading it again from " +
            std::to_string(low) + " (--on-reset earliest)");
    resets_[partition] = low;
    position->second = low;
    return Seek(partition, low);
  }
  if (next > high) {
    return Status::Corruption(
        named + ": the saved offset " + std::to_string(next) +
        " is beyond the partition's end, so the topic was deleted and recreated, or purged, "
        "since it was saved; nothing was read. To read the partitions again from their start "
        "into the same table, run `process` again with --on-reset earliest (an archive needs a "
        "new folder)");
  }
  if (next >= low) return Seek(partition, next);  // in range again (a leader change)
  LogWarn(named + ": offsets " + std::to_string(next) + " to " + std::to_string(low - 1) +
          " were deleted by the topic's retention before they were read; going on at " +
          std::to_string(low) + " (recorded as a dead letter)");
  gaps_.push_back({partition, next, low});
  position->second = low;
  return Seek(partition, low);
}

Status KafkaSource::Seek(int32_t partition, int64_t offset) {
  // A partition stopped by an offset reset error fetches again only when assigned anew (a
  // seek leaves it stopped): the partition alone (cooperative), or the whole assignment at the
  // positions returned so far.
  kafka::PartitionListPtr list(rd_kafka_topic_partition_list_new(1));
  if (cooperative_) {
    rd_kafka_topic_partition_list_add(list.get(), topic_.c_str(), partition)->offset = offset;
    rd_kafka_error_t* error = rd_kafka_incremental_unassign(consumer_, list.get());
    if (!error) error = rd_kafka_incremental_assign(consumer_, list.get());
    if (error) {
      Status s = Status::Internal(where_ + ": positioning partition " + std::to_string(partition) +
                                  ": " + rd_kafka_error_string(error));
      rd_kafka_error_destroy(error);
      return s;
    }
    return Status::Ok();
  }
  for (const auto& [p, position] : positions_) {
    rd_kafka_topic_partition_list_add(list.get(), topic_.c_str(), p)->offset =
        p == partition ? offset : position;
  }
  if (rd_kafka_resp_err_t err = rd_kafka_assign(consumer_, list.get())) {
    return Status::Internal(where_ + ": positioning partition " + std::to_string(partition) + ": " +
                            rd_kafka_err2str(err));
  }
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

}  // namespace shopstream::kafka
