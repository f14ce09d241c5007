#include <charconv>

#include "sqlite/sqlite_client.h"
#include "sqlite/sqlite_stores.h"

namespace shopstream::sqlite {
namespace {

using sqlite::Database;
using sqlite::Statement;

// The seed's Cassandra table, with SQLite types: ids stay text, missing values are NULL. Rows
// live in the primary key's B-tree (WITHOUT ROWID), as in Cassandra.
constexpr const char* kRawSchema =
    "CREATE TABLE IF NOT EXISTS raw_operations(id TEXT PRIMARY KEY, event_time TEXT,"
    " event_type TEXT, product_id TEXT, category_id TEXT, category_code TEXT, brand TEXT,"
    " price REAL, user_id TEXT, user_session TEXT) WITHOUT ROWID";

class SqliteRawStore : public store::RawStore {
 public:
  explicit SqliteRawStore(std::unique_ptr<Database> db) : db_(std::move(db)) {}

  Status Init() override {
    if (Status s = db_->Exec(kRawSchema); !s.ok()) return s;
    auto insert = db_->Prepare(
        "INSERT INTO raw_operations(id, event_time, event_type, product_id, category_id,"
        " category_code, brand, price, user_id, user_session) VALUES(?,?,?,?,?,?,?,?,?,?)"
        // An upsert, like Cassandra's INSERT: the latest message of an id is the one kept.
        " ON CONFLICT(id) DO UPDATE SET event_time = excluded.event_time,"
        " event_type = excluded.event_type, product_id = excluded.product_id,"
        " category_id = excluded.category_id, category_code = excluded.category_code,"
        " brand = excluded.brand, price = excluded.price, user_id = excluded.user_id,"
        " user_session = excluded.user_session");
    if (!insert.ok()) return insert.status();
    insert_ = std::move(insert).value();
    return Status::Ok();
  }

  Status Write(const std::vector<Event>& events) override {
    if (events.empty()) return Status::Ok();
    if (Status s = db_->BeginImmediate(); !s.ok()) return s;
    for (const Event& e : events) {
      Status s = Insert(e);
      if (!s.ok()) {
        db_->Rollback();
        return s;
      }
    }
    Status s = db_->Commit();
    if (!s.ok()) db_->Rollback();
    return s;
  }

 private:
  Status Insert(const Event& e) {
    char product[24], category[24], user[24];
    auto text = [](char* buf, int64_t v) {
      auto r = std::to_chars(buf, buf + 24, v);
      return std::string_view(buf, r.ptr - buf);
    };
    insert_.Bind(1, std::string_view(e.id));
    insert_.Bind(2, std::string_view(e.event_time));
    insert_.Bind(3, std::string_view(e.event_type));
    insert_.Bind(4, text(product, e.product_id));
    insert_.Bind(5, text(category, e.category_id));
    insert_.Bind(6, e.category_code);
    insert_.Bind(7, e.brand);
    insert_.Bind(8, e.price);
    insert_.Bind(9, text(user, e.user_id));
    insert_.Bind(10, e.user_session);
    return insert_.Run();
  }

  std::unique_ptr<Database> db_;
  Statement insert_;
};

}  // namespace

Result<std::unique_ptr<store::RawStore>> OpenSqliteRawStore(const std::string& path) {
  auto db = Database::Open(path, Database::Mode::kReadWriteCreate);
  if (!db.ok()) return db.status();
  return std::unique_ptr<store::RawStore>(new SqliteRawStore(std::move(db).value()));
}

}  // namespace shopstream::sqlite
