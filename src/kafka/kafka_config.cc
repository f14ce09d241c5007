#include "kafka/kafka_config.h"

#include <cstdlib>
#include <fstream>
#include <string_view>

#include "common/log.h"
#include "common/text.h"

namespace shopstream::kafka {
namespace {

constexpr std::string_view kPassthroughPrefix = "rdkafka.";
constexpr int kDefaultPort = 9092;

std::string EnvOr(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

// Settings that hold a secret: sasl.password, ssl.key.password, ...client.secret, ssl.key.pem.
bool IsSecretSetting(const std::string& key) {
  return key.find("password") != std::string::npos || key.find("secret") != std::string::npos ||
         key == "ssl.key.pem" || key == "ssl_key";
}

bool IsValidTopicName(const std::string& topic) {
  if (topic.empty() || topic.size() > 249 || topic == "." || topic == "..") return false;
  for (char c : topic) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

void LogFromLibrdkafka(const rd_kafka_t* rk, int level, const char* facility, const char* buf) {
  // syslog levels: 0-3 errors, 4 warnings, 5-6 notices and info, 7 debug.
  LogLevel ours = level <= 3   ? LogLevel::kError
                  : level == 4 ? LogLevel::kWarn
                  : level <= 6 ? LogLevel::kInfo
                               : LogLevel::kDebug;
  Log(ours, std::string("kafka ") + rd_kafka_name(rk) + " " + facility + ": " + buf);
}

}  // namespace

Result<Endpoint> ParseEndpoint(const Uri& uri, const std::set<std::string>& known_keys) {
  if (uri.scheme != "kafka") {
    return Status::InvalidArgument("'" + uri.text + "' is not a kafka:// URI");
  }
  Endpoint endpoint;
  endpoint.brokers = uri.host;
  if (uri.host.find(',') == std::string::npos) {
    endpoint.brokers.append(":").append(std::to_string(uri.port > 0 ? uri.port : kDefaultPort));
  }
  endpoint.topic = uri.path;
  if (!IsValidTopicName(endpoint.topic)) {
    return Status::InvalidArgument(
        "'" + uri.text + "' has a bad topic name '" + endpoint.topic +
        "' (1-249 of a-z A-Z 0-9 . _ -; e.g. kafka://localhost:9092/events)");
  }
  std::string option_file = uri.Param("option-file", EnvOr("SHOPSTREAM_KAFKA_OPTION_FILE"));
  if (!option_file.empty()) {
    auto from_file = ReadOptionFile(option_file);
    if (!from_file.ok()) return from_file.status();
    endpoint.passthrough = std::move(from_file).value();
  }
  for (const auto& [key, value] : uri.query) {
    if (key.starts_with(kPassthroughPrefix) && key.size() > kPassthroughPrefix.size()) {
      std::string setting = key.substr(kPassthroughPrefix.size());
      if (IsSecretSetting(setting)) {
        return Status::InvalidArgument(
            "'" + uri.text + "': " + key +
            " cannot be given in a URI (a command line is visible to every user of the "
            "machine); put " +
            setting +
            " in an option file (SHOPSTREAM_KAFKA_OPTION_FILE or ?option-file=PATH), or use "
            "SHOPSTREAM_KAFKA_USER and SHOPSTREAM_KAFKA_PASSWORD");
      }
      endpoint.passthrough.emplace_back(std::move(setting), value);
    } else if (key == "option-file") {
      continue;
    } else if (!known_keys.contains(key)) {
      std::string known;
      for (const auto& k : known_keys) known += k + ", ";
      return Status::InvalidArgument("'" + uri.text + "' has an unknown parameter '" + key +
                                     "' (known: " + known + "option-file, rdkafka.*)");
    }
  }
  if (std::string user = EnvOr("SHOPSTREAM_KAFKA_USER"); !user.empty()) {
    endpoint.passthrough.emplace_back("sasl.username", user);
  }
  if (std::string password = EnvOr("SHOPSTREAM_KAFKA_PASSWORD"); !password.empty()) {
    endpoint.passthrough.emplace_back("sasl.password", password);
  }
  return endpoint;
}

Result<Settings> ReadOptionFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    return Status::InvalidArgument("cannot read the Kafka option file " + QuoteValue(path, 200));
  }
  Settings settings;
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
    const size_t start = line.find_first_not_of(" \t");
    if (start == std::string::npos || line[start] == '#') continue;
    const size_t eq = line.find('=', start);
    if (eq == std::string::npos || eq == start) {
      return Status::InvalidArgument("Kafka option file " + QuoteValue(path, 200) + ":" +
                                     std::to_string(number) + ": expected key=value");
    }
    std::string key = line.substr(start, eq - start);
    while (!key.empty() && key.back() == ' ') key.pop_back();
    settings.emplace_back(std::move(key), line.substr(eq + 1));
  }
  return settings;
}

Result<ConfPtr> MakeConf(const Settings& settings, const std::string& where) {
  ConfPtr conf(rd_kafka_conf_new());
  char errstr[512];
  for (const auto& [key, value] : settings) {
    if (rd_kafka_conf_set(conf.get(), key.c_str(), value.c_str(), errstr, sizeof errstr) !=
        RD_KAFKA_CONF_OK) {
      return Status::InvalidArgument("Kafka setting " + key + "=" +
                                     (IsSecretKey(key) ? std::string("***") : value) + " for '" +
                                     where + "' is refused: " + errstr);
    }
  }
  return conf;
}

void InstallLogger(rd_kafka_conf_t* conf) { rd_kafka_conf_set_log_cb(conf, LogFromLibrdkafka); }

bool ErrorThrottle::ShouldLog(rd_kafka_resp_err_t err) {
  constexpr auto kRepeatEvery = std::chrono::seconds(10);
  auto now = std::chrono::steady_clock::now();
  if (err == last_ && now - last_at_ < kRepeatEvery) return false;
  last_ = err;
  last_at_ = now;
  return true;
}

bool IsTransient(rd_kafka_resp_err_t err) {
  switch (err) {
    case RD_KAFKA_RESP_ERR__TRANSPORT:
    case RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN:
    case RD_KAFKA_RESP_ERR__TIMED_OUT:
    case RD_KAFKA_RESP_ERR__MSG_TIMED_OUT:
    case RD_KAFKA_RESP_ERR__TIMED_OUT_QUEUE:
    case RD_KAFKA_RESP_ERR__RESOLVE:
    case RD_KAFKA_RESP_ERR__QUEUE_FULL:
    case RD_KAFKA_RESP_ERR__WAIT_COORD:
    case RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION:
    case RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC:
    case RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART:
    case RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE:
    case RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION:
    case RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT:
    case RD_KAFKA_RESP_ERR_BROKER_NOT_AVAILABLE:
    case RD_KAFKA_RESP_ERR_NETWORK_EXCEPTION:
    case RD_KAFKA_RESP_ERR_COORDINATOR_LOAD_IN_PROGRESS:
    case RD_KAFKA_RESP_ERR_COORDINATOR_NOT_AVAILABLE:
    case RD_KAFKA_RESP_ERR_NOT_COORDINATOR:
    case RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS:
    case RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS_AFTER_APPEND:
    case RD_KAFKA_RESP_ERR_REBALANCE_IN_PROGRESS:
    case RD_KAFKA_RESP_ERR_KAFKA_STORAGE_ERROR:
      return true;
    default:
      return false;
  }
}

Status StatusFromError(rd_kafka_resp_err_t err, const std::string& context) {
  std::string message =
      context + ": " + rd_kafka_err2str(err) + " (" + rd_kafka_err2name(err) + ")";
  return IsTransient(err) ? Status::Unavailable(message) : Status::Internal(message);
}

}  // namespace shopstream::kafka
