#include "cassandra/cassandra_raw_store.h"

#include <algorithm>
#include <mutex>
#include <string_view>
#include <unordered_map>

#include "cassandra/cassandra_options.h"
#include "cassandra/session.h"
#include "common/log.h"
#include "common/text.h"

namespace shopstream::cassandra {

namespace {

constexpr std::chrono::milliseconds kSchemaAgreementTimeout{30000};

cassandra::Value OptionalText(const std::optional<std::string>& s) {
  return s ? cassandra::TextValue(*s) : cassandra::Value::Null();
}

class CassandraRawStore : public store::RawStore {
 public:
  explicit CassandraRawStore(CassandraOptions options) : options_(std::move(options)) {}

  Status Init() override {
    std::lock_guard lock(mutex_);
    if (Status s = ConnectLocked(); !s.ok()) return s;
    // The seed's schema, exactly; the names come from the URI and were checked as identifiers.
    const std::string ks = Quoted(options_.keyspace);
    const std::string table = QualifiedTable();
    // A cluster's keyspace is replicated (3 copies: QUORUM writes go on with a node down).
    const int rf = options_.replication_factor > 0
                       ? options_.replication_factor
                       : static_cast<int>(std::min<size_t>(3, session_->Nodes().size()));
    for (const std::string& ddl :
         {"CREATE KEYSPACE IF NOT EXISTS " + ks +
              " WITH replication = {'class':'SimpleStrategy', 'replication_factor':" +
              std::to_string(std::max(rf, 1)) + "}",
          "CREATE TABLE IF NOT EXISTS " + table +
              " (id UUID PRIMARY KEY, event_time text, event_type text, product_id text, "
              "category_id text, category_code text, brand text, price float, user_id text, "
              "user_session text)"}) {
      auto r = session_->Query(ddl, cassandra::Consistency::kOne, /*idempotent=*/true);
      if (!r.ok()) return Status(r.status());
    }
    if (Status s = session_->WaitForSchemaAgreement(kSchemaAgreementTimeout); !s.ok()) return s;
    return PrepareLocked();
  }

  Status Write(const std::vector<Event>& events) override {
    if (events.empty()) return Status::Ok();
    // Every id is checked before anything is written, so a bad batch writes nothing.
    // Requests run concurrently, so of two events with one id only the later is sent: the
    // row kept does not depend on which request lands last.
    std::unordered_map<std::string_view, size_t> last_of_id;
    for (size_t i = 0; i < events.size(); ++i) last_of_id[events[i].id] = i;
    std::vector<std::vector<cassandra::Value>> rows;
    rows.reserve(events.size());
    for (size_t i = 0; i < events.size(); ++i) {
      const Event& e = events[i];
      if (last_of_id[e.id] != i) continue;
      auto id = cassandra::ParseUuid(e.id);
      if (!id) {
        return Status::RefusedValue("event id " + QuoteValue(e.id) + " is not a UUID (table " +
                                    options_.keyspace + "." + options_.table +
                                    " keys rows by uuid)");
      }
      rows.push_back(
          {cassandra::UuidValue(*id), cassandra::TextValue(e.event_time),
           cassandra::TextValue(e.event_type), cassandra::TextValue(std::to_string(e.product_id)),
           cassandra::TextValue(std::to_string(e.category_id)), OptionalText(e.category_code),
           OptionalText(e.brand), cassandra::FloatValue(static_cast<float>(e.price)),
           cassandra::TextValue(std::to_string(e.user_id)), OptionalText(e.user_session)});
    }
    cassandra::Session* session;
    cassandra::Prepared insert;
    {
      std::lock_guard lock(mutex_);
      if (Status s = ConnectLocked(); !s.ok()) return s;
      if (!insert_) {
        if (Status s = PrepareLocked(); !s.ok()) return s;
      }
      session = session_.get();
      insert = *insert_;
    }
    // Writing the same row twice leaves the same row: safe to retry on another node.
    return session->ExecuteMany(insert, rows, options_.consistency, /*idempotent=*/true,
                                options_.in_flight);
  }

 private:
  Status ConnectLocked() {
    if (session_) return Status::Ok();
    auto s = cassandra::Session::Connect(options_.session);
    if (!s.ok()) return s.status();
    session_ = std::move(*s);
    return Status::Ok();
  }

  // Quoted, as the session's USE quotes the keyspace: a mixed-case name stays as written instead
  // of being folded to lower case on creation and then not found by USE.
  static std::string Quoted(const std::string& identifier) { return '"' + identifier + '"'; }
  std::string QualifiedTable() const {
    return Quoted(options_.keyspace) + "." + Quoted(options_.table);
  }

  Status PrepareLocked() {
    auto p = session_->Prepare("INSERT INTO " + QualifiedTable() +
                               " (id, event_time, event_type, product_id, category_id, "
                               "category_code, brand, price, user_id, user_session) "
                               "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    if (!p.ok()) return p.status();
    insert_ = std::move(*p);
    return Status::Ok();
  }

  CassandraOptions options_;
  std::mutex mutex_;  // guards session_ and insert_ while they are set up
  std::unique_ptr<cassandra::Session> session_;
  std::optional<cassandra::Prepared> insert_;
};

}  // namespace

Result<std::unique_ptr<store::RawStore>> OpenCassandraRawStore(const Uri& uri) {
  auto options = ParseCassandraUri(uri);
  if (!options.ok()) return options.status();
  return std::unique_ptr<store::RawStore>(std::make_unique<CassandraRawStore>(std::move(*options)));
}

}  // namespace shopstream::cassandra
