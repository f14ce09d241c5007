// The RawStore contract (store/store.h), stated once and run on every raw store: SQLite always,
// Cassandra when scripts/stack runs it (skipped loudly otherwise, failed under CI=true). What a
// store kept is read back independently (sqlite3, shopstream's CQL session) and compared as the
// seed's Cassandra columns: text ids, decimal ids, a float price, NULL for missing values.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <map>

#include "cassandra/session.h"
#include "endpoints/open_store.h"
#include "sqlite/sqlite_client.h"

namespace shopstream::conformance {
namespace {

struct RawRow {
  std::string event_time, event_type, product_id, category_id;
  std::optional<std::string> category_code, brand;
  float price = 0;
  std::string user_id;
  std::optional<std::string> user_session;
  bool operator==(const RawRow&) const = default;
};

// A raw store under test: its URI and a reader of what it kept, by id.
class RawBackend {
 public:
  virtual ~RawBackend() = default;
  virtual std::string Uri() const = 0;
  virtual Result<std::map<std::string, RawRow>> ReadAll() = 0;
};

class SqliteRaw final : public RawBackend {
 public:
  SqliteRaw() {
    dir_ = std::filesystem::temp_directory_path() /
           ("raw_contract_" + std::to_string(getpid()) + "_" + std::to_string(counter_++));
    std::filesystem::create_directories(dir_);
  }
  ~SqliteRaw() override { std::filesystem::remove_all(dir_); }
  std::string Uri() const override { return "sqlite://" + (dir_ / "raw.db").string(); }
  Result<std::map<std::string, RawRow>> ReadAll() override {
    auto db = sqlite::Database::Open((dir_ / "raw.db").string(), sqlite::Database::Mode::kReadOnly);
    if (!db.ok()) return db.status();
    auto stmt = (*db)->Prepare(
        "SELECT id, event_time, event_type, product_id, category_id, category_code, brand, price,"
        " user_id, user_session FROM raw_operations");
    if (!stmt.ok()) return stmt.status();
    std::map<std::string, RawRow> rows;
    while (true) {
      auto more = stmt->Step();
      if (!more.ok()) return more.status();
      if (!*more) break;
      auto text = [&](int c) { return std::string(stmt->ColumnText(c)); };
      auto optional = [&](int c) {
        return stmt->ColumnIsNull(c) ? std::nullopt : std::optional<std::string>(text(c));
      };
      rows[text(0)] = {text(1),
                       text(2),
                       text(3),
                       text(4),
                       optional(5),
                       optional(6),
                       static_cast<float>(stmt->ColumnDouble(7)),
                       text(8),
                       optional(9)};
    }
    return rows;
  }

 private:
  static inline int counter_ = 0;
  std::filesystem::path dir_;
};

class CassandraRaw final : public RawBackend {
 public:
  static Result<std::unique_ptr<RawBackend>> Make() {
    cassandra::SessionOptions options;
    options.contact_points = {{"127.0.0.1", Port()}};
    options.credentials = cassandra::Credentials::FromEnvironment();
    options.discover_peers = false;
    auto session = cassandra::Session::Connect(options);
    if (!session.ok()) {
      return Status::Unavailable("no Cassandra to test against (" + session.status().message() +
                                 "); run `scripts/stack up cassandra` first");
    }
    std::unique_ptr<CassandraRaw> backend(new CassandraRaw);
    backend->session_ = std::move(session).value();
    // Mixed case: the store must keep it as written (quoted), as USE looks it up.
    backend->keyspace_ =
        "Raw_Contract_" + std::to_string(getpid()) + "_" + std::to_string(counter_++);
    return std::unique_ptr<RawBackend>(std::move(backend));
  }
  ~CassandraRaw() override {
    session_->Query("DROP KEYSPACE IF EXISTS \"" + keyspace_ + "\"", cassandra::Consistency::kOne,
                    true);
  }
  std::string Uri() const override {
    return "cassandra://127.0.0.1:" + std::to_string(Port()) + "/" + keyspace_ +
           ".operations?consistency=ONE";
  }
  const std::string& keyspace() const { return keyspace_; }
  static int Port() {
    const char* p = std::getenv("STACK_CASSANDRA_PORT");
    return p ? std::atoi(p) : 9042;
  }
  Result<std::map<std::string, RawRow>> ReadAll() override {
    auto result = session_->Query(
        "SELECT id, event_time, event_type, product_id, category_id, category_code, brand, price,"
        " user_id, user_session FROM \"" +
            keyspace_ + "\".operations",
        cassandra::Consistency::kOne, true);
    if (!result.ok()) return result.status();
    std::map<std::string, RawRow> rows;
    for (const cassandra::Row& r : result->rows) {
      auto text = [&](size_t c) { return r.at(c).value_or(""); };
      uint32_t bits = 0;
      for (unsigned char b : r.at(7).value_or(std::string(4, '\0'))) bits = bits << 8 | b;
      float price;
      std::memcpy(&price, &bits, sizeof price);
      rows[UuidText(text(0))] = {text(1), text(2), text(3), text(4), r.at(5),
                                 r.at(6), price,   text(8), r.at(9)};
    }
    return rows;
  }

 private:
  static std::string UuidText(const std::string& bytes) {
    static const char* kHex = "0123456789abcdef";
    std::string out;
    for (size_t i = 0; i < bytes.size(); ++i) {
      if (i == 4 || i == 6 || i == 8 || i == 10) out += '-';
      out += kHex[static_cast<unsigned char>(bytes[i]) >> 4];
      out += kHex[static_cast<unsigned char>(bytes[i]) & 15];
    }
    return out;
  }
  static inline int counter_ = 0;
  std::unique_ptr<cassandra::Session> session_;
  std::string keyspace_;
};

struct RawCase {
  const char* name;
  std::function<Result<std::unique_ptr<RawBackend>>()> make;
};
const std::vector<RawCase>& RawBackends() {
  static const std::vector<RawCase> backends = {
      {"sqlite",
       [] {
         return Result<std::unique_ptr<RawBackend>>(std::unique_ptr<RawBackend>(new SqliteRaw));
       }},
      {"cassandra", [] { return CassandraRaw::Make(); }},
  };
  return backends;
}

Event MakeEvent(int n, std::optional<std::string> brand = "apple") {
  Event e;
  char id[40];
  std::snprintf(id, sizeof id, "6b1f7e2c-0000-11ef-8000-%012d", n);
  e.id = id;
  e.event_time = "2019-11-08 08:14:53 UTC";
  e.event_type = n % 3 == 0 ? "purchase" : "view";
  e.product_id = 1000 + n;
  e.category_id = 2053013555631882655;
  e.category_code = "electronics.smartphone";
  e.brand = std::move(brand);
  e.price = 10.25 * n;
  e.user_id = 568847318;
  e.user_session = "s-" + std::to_string(n);
  return e;
}

RawRow Expected(const Event& e) {
  return {
      e.event_time,    e.event_type, std::to_string(e.product_id), std::to_string(e.category_id),
      e.category_code, e.brand,      static_cast<float>(e.price),  std::to_string(e.user_id),
      e.user_session};
}

class RawStoreContract : public ::testing::TestWithParam<size_t> {
 protected:
  void SetUp() override {
    auto made = RawBackends()[GetParam()].make();
    if (!made.ok()) {
      const char* ci = std::getenv("CI");
      if (ci != nullptr && std::string(ci) == "true") FAIL() << made.status().ToString();
      GTEST_SKIP() << "!!! " << made.status().ToString();
    }
    backend_ = std::move(made).value();
    auto store = endpoints::OpenRawStore(backend_->Uri());
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(store).value();
    Status s = store_->Init();
    ASSERT_TRUE(s.ok()) << s.ToString();
  }
  std::map<std::string, RawRow> All() {
    auto rows = backend_->ReadAll();
    EXPECT_TRUE(rows.ok()) << rows.status().ToString();
    return rows.ok() ? std::move(rows).value() : std::map<std::string, RawRow>{};
  }
  std::unique_ptr<RawBackend> backend_;
  std::unique_ptr<store::RawStore> store_;
};

TEST_P(RawStoreContract, KeepsEveryEventAsItCameOneRowPerId) {
  std::vector<Event> events;
  for (int n = 1; n <= 50; ++n) events.push_back(MakeEvent(n));
  ASSERT_TRUE(store_->Write(events).ok());
  ASSERT_TRUE(store_->Write(events).ok());  // a batch replayed after a crash
  auto rows = All();
  ASSERT_EQ(rows.size(), 50u);
  for (const Event& e : events) EXPECT_EQ(rows.at(e.id), Expected(e)) << e.id;
}

TEST_P(RawStoreContract, OfTwoMessagesWithOneIdTheLaterIsKept) {
  Event first = MakeEvent(7, "first"), second = MakeEvent(7, "second"),
        third = MakeEvent(7, "third");
  ASSERT_TRUE(store_->Write({first, MakeEvent(8), second}).ok());
  EXPECT_EQ(All().at(first.id).brand, "second");
  ASSERT_TRUE(store_->Write({third}).ok());
  auto rows = All();
  EXPECT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows.at(first.id).brand, "third");
}

TEST_P(RawStoreContract, MissingValuesAreNullAndHostileTextIsVerbatim) {
  Event missing = MakeEvent(1, std::nullopt);
  missing.category_code.reset();
  missing.user_session.reset();
  Event hostile = MakeEvent(2, "'); DROP TABLE operations; -- \xF0\x9F\x9B\x92 tab\t\x1B[31m");
  hostile.category_code = "quote ' double \" back \\ slash";
  hostile.user_session = "\\N";
  ASSERT_TRUE(store_->Write({missing, hostile}).ok());
  auto rows = All();
  EXPECT_EQ(rows.at(missing.id), Expected(missing));
  EXPECT_EQ(rows.at(hostile.id), Expected(hostile));
}

// `shopstream cql cassandra://HOST/KEYSPACE` and any session with a keyspace run USE "KEYSPACE":
// the keyspace the store created under a mixed-case name must be the one found.
TEST(CassandraRawStore, AMixedCaseKeyspaceIsTheOneUseFinds) {
  auto made = CassandraRaw::Make();
  if (!made.ok()) GTEST_SKIP() << "!!! " << made.status().ToString();
  auto& backend = static_cast<CassandraRaw&>(**made);
  auto store = endpoints::OpenRawStore(backend.Uri());
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  ASSERT_TRUE((*store)->Init().ok());
  ASSERT_TRUE((*store)->Write({MakeEvent(1)}).ok());
  cassandra::SessionOptions options;
  options.contact_points = {{"127.0.0.1", CassandraRaw::Port()}};
  options.credentials = cassandra::Credentials::FromEnvironment();
  options.discover_peers = false;
  options.keyspace = backend.keyspace();
  auto session = cassandra::Session::Connect(options);
  ASSERT_TRUE(session.ok()) << session.status().ToString();
  auto rows = (*session)->Query("SELECT id FROM operations", cassandra::Consistency::kOne, true);
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  EXPECT_EQ(rows->rows.size(), 1u);
}

INSTANTIATE_TEST_SUITE_P(EveryRawStore, RawStoreContract,
                         ::testing::Range(size_t{0}, RawBackends().size()), [](const auto& info) {
                           return std::string(RawBackends()[info.param].name);
                         });

}  // namespace
}  // namespace shopstream::conformance
