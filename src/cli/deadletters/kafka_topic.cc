// The dead-letter topic: process --dead-letters kafka://... publishes each committed dead letter
// (the original message as the value, its provenance, code and reason as headers), and
// deadletters replay --from kafka://... reads them back.
#include "cli/cli_util.h"
#include "cli/commands.h"
#include "cli/deadletters/deadletters.h"
#include "common/log.h"
#include "event/contract.h"
#include "kafka/kafka_records.h"

namespace shopstream::cli {
namespace {

class DeadLetterTopic final : public pipeline::DeadLetterSink {
 public:
  DeadLetterTopic(std::unique_ptr<kafka::KafkaRecordSink> sink, std::string uri)
      : sink_(std::move(sink)), uri_(std::move(uri)) {}

  ~DeadLetterTopic() override {
    const int64_t lost = sink_->Flush(std::chrono::seconds(10));
    if (lost > 0) {
      LogWarn(uri_ + ": " + std::to_string(lost) +
              " dead letters were not published (the topic was away); all are in the store's "
              "dead_letters (shopstream deadletters export)");
    }
  }

  void Offer(const std::string& stream, const std::vector<store::DeadLetter>& letters) override {
    records_.clear();
    for (const store::DeadLetter& d : letters) {
      records_.push_back({0,
                          0,
                          d.payload,
                          {{kHeaderTopic, stream},
                           {kHeaderPartition, std::to_string(d.partition)},
                           {kHeaderOffset, std::to_string(d.offset)},
                           {kHeaderCode, d.code.empty() ? "other" : d.code},
                           {kHeaderField, d.field},
                           {kHeaderReason, d.reason}}});
    }
    sink_->Offer(records_);
  }

 private:
  std::unique_ptr<kafka::KafkaRecordSink> sink_;
  std::string uri_;
  std::vector<kafka::KafkaRecord> records_;  // kept for their capacity
};

bool ToNumber(const std::string& text, int64_t* out) {
  if (text.empty()) return false;
  try {
    size_t used = 0;
    *out = std::stoll(text, &used);
    return used == text.size();
  } catch (const std::exception&) {
    return false;
  }
}

}  // namespace

std::unique_ptr<pipeline::DeadLetterSink> OpenDeadLetterTopicOrExit(
    const std::string& text, std::chrono::milliseconds timeout) {
  auto uri = ParseUri(text);
  if (!uri.ok()) ExitBadInput(uri.status());
  if (uri->scheme != "kafka") {
    throw CommandExit(kExitBadInput, "--dead-letters " + RedactUri(text) +
                                         ": a dead-letter topic is kafka://HOST:PORT/TOPIC");
  }
  auto sink = kafka::KafkaRecordSink::Open(*uri, timeout);
  if (!sink.ok()) ExitBadInput(sink.status());
  return std::make_unique<DeadLetterTopic>(std::move(sink).value(), RedactUri(text));
}

std::vector<LetterToReplay> ReadDeadLetterTopicOrExit(const std::string& text,
                                                      std::chrono::milliseconds timeout) {
  auto uri = ParseUri(text);
  if (!uri.ok()) ExitBadInput(uri.status());
  auto records = kafka::ReadKafkaTopic(*uri, timeout);
  if (!records.ok()) {
    const int code = records.status().code() == StatusCode::kNotFound ||
                             records.status().code() == StatusCode::kInvalidArgument
                         ? kExitBadInput
                         : kExitFailure;
    throw CommandExit(code, "--from " + RedactUri(text) + ": " + records.status().message());
  }
  std::vector<LetterToReplay> out;
  for (kafka::KafkaRecord& r : *records) {
    LetterToReplay l;
    l.where = "--from " + RedactUri(text) + ": partition " + std::to_string(r.partition) +
              " offset " + std::to_string(r.offset);
    int64_t partition = 0;
    l.key.stream = r.Header(kHeaderTopic);
    if (l.key.stream.empty() || !ToNumber(r.Header(kHeaderPartition), &partition) ||
        partition < 0 || partition > INT32_MAX ||
        !ToNumber(r.Header(kHeaderOffset), &l.key.offset)) {
      throw CommandExit(kExitBadInput, l.where + ": not a dead letter (needs the headers " +
                                           kHeaderTopic + ", " + kHeaderPartition + " and " +
                                           kHeaderOffset + ")");
    }
    l.key.partition = static_cast<int32_t>(partition);
    l.payload = std::move(r.value);
    out.push_back(std::move(l));
  }
  return out;
}

}  // namespace shopstream::cli
