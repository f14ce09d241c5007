// The reference beside the embedded end-to-end benchmark: how fast SQLite itself inserts the
// same raw rows, with one prepared statement in large transactions and nothing else, into the
// raw store's table (the same columns, WITHOUT ROWID).
// Usage: sqlite_insert_reference LOG_DB OUT_DB
// Reads every message of the embedded log (untimed), then times the inserts.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <vector>

#include "event/json_codec.h"
#include "sqlite/sqlite_client.h"

using namespace shopstream;

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s LOG_DB OUT_DB\n", argv[0]);
    return 2;
  }
  auto log = sqlite::Database::Open(argv[1], sqlite::Database::Mode::kReadOnly);
  if (!log.ok()) {
    std::fprintf(stderr, "%s\n", log.status().ToString().c_str());
    return 2;
  }
  std::vector<Event> events;
  {
    auto read = (*log)->Prepare("SELECT payload FROM log ORDER BY offset");
    EventDecoder decoder;
    while (read->Step().value()) {
      Event e;
      if (decoder.Decode(read->ColumnText(0), &e).ok()) events.push_back(std::move(e));
    }
  }
  std::filesystem::remove(argv[2]);
  auto out = sqlite::Database::Open(argv[2], sqlite::Database::Mode::kReadWriteCreate);
  (*out)->Exec(
      "CREATE TABLE raw_operations(id TEXT PRIMARY KEY, event_time TEXT, event_type TEXT,"
      " product_id TEXT, category_id TEXT, category_code TEXT, brand TEXT, price REAL,"
      " user_id TEXT, user_session TEXT) WITHOUT ROWID");
  auto insert = (*out)->Prepare("INSERT INTO raw_operations VALUES(?,?,?,?,?,?,?,?,?,?)");
  const auto start = std::chrono::steady_clock::now();
  constexpr size_t kTransaction = 100000;
  for (size_t i = 0; i < events.size(); ++i) {
    if (i % kTransaction == 0) (*out)->BeginImmediate();
    const Event& e = events[i];
    std::string product = std::to_string(e.product_id), category = std::to_string(e.category_id),
                user = std::to_string(e.user_id);
    insert->Bind(1, std::string_view(e.id));
    insert->Bind(2, std::string_view(e.event_time));
    insert->Bind(3, std::string_view(e.event_type));
    insert->Bind(4, std::string_view(product));
    insert->Bind(5, std::string_view(category));
    insert->Bind(6, e.category_code);
    insert->Bind(7, e.brand);
    insert->Bind(8, e.price);
    insert->Bind(9, std::string_view(user));
    insert->Bind(10, e.user_session);
    if (!insert->Run().ok()) return 1;
    if (i % kTransaction == kTransaction - 1 || i + 1 == events.size()) (*out)->Commit();
  }
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("rows=%zu seconds=%.3f rows_per_s=%.0f\n", events.size(), seconds,
              events.size() / seconds);
  return 0;
}
