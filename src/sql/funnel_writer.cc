#include "sql/funnel_writer.h"

#include <algorithm>
#include <iterator>
#include <set>
#include <string>

#include "event/session_funnel.h"
#include "query/query_store.h"
#include "sql/funnel_states.h"
#include "sql/funnel_tables.h"

namespace shopstream::sql {
namespace {

std::string Columns(const Table& t, const Dialect& d) {
  std::string list;
  for (const Column& c : t.columns) list += (list.empty() ? "" : ", ") + d.Quote(c.name);
  return list;
}

std::string InsertHead(const Table& t, const Dialect& d) {
  return "INSERT INTO " + d.Quote(t.name) + "(" + Columns(t, d) + ") VALUES ";
}

// Upserts every row of `t`, each non-key column as `how`.
ChunkedStatement Upsert(const Table& t, const Dialect& d, OnConflict how, const std::string& what) {
  std::vector<ColumnUpdate> updates;
  for (size_t i = t.key.size(); i < t.columns.size(); ++i)
    updates.push_back({t.columns[i].name, how});
  return ChunkedStatement(InsertHead(t, d), t.columns.size(), true,
                          d.OnConflictClause(t.name, t.key, updates), what,
                          d.max_rows_per_statement());
}

int64_t Int(const SqlRow& row, size_t i) { return std::stoll(row.at(i).value_or("0")); }

// The board offers the windows the stream computes.
static_assert(std::size(query::kSessionFunnelWindows) == kFunnelWindowMinutes.size());
static_assert(query::kSessionFunnelWindows[0] == kFunnelWindowMinutes[0] &&
              query::kSessionFunnelWindows[1] == kFunnelWindowMinutes[1] &&
              query::kSessionFunnelWindows[2] == kFunnelWindowMinutes[2]);

}  // namespace

FunnelWriter::FunnelWriter(const Dialect& d, const OwnedTables& owned) : dialect_(d) {
  std::vector<Table> t;
  for (const Table& plain : FunnelTables()) t.push_back(owned.Of(plain));
  const std::string lock = d.serializes_writers() ? "" : " FOR UPDATE";
  const Table& clock = t[kFunnelClock];
  ensure_clock_ =
      ChunkedStatement(InsertHead(clock, d), 2, true, d.OnConflictClause(clock.name, clock.key, {}),
                       "making the funnel's clock", 1);
  read_clock_ = ChunkedStatement("SELECT newest FROM " + d.Quote(clock.name) + " WHERE id IN (", 1,
                                 false, ")" + lock, "reading the funnel's clock", 1);
  store_clock_ = Upsert(clock, d, OnConflict::kMax, "moving the funnel's clock");
  const Table& sessions = t[kFunnelSessions];
  read_sessions_ =
      ChunkedStatement("SELECT " + Columns(sessions, d) + " FROM " + d.Quote(sessions.name) +
                           " WHERE session_key IN (",
                       1, false, ")" + lock, "reading funnel sessions", d.max_rows_per_statement());
  store_sessions_ = Upsert(sessions, d, OnConflict::kReplace, "storing funnel sessions");
  const Table& states = t[kFunnelStates];
  read_states_ = ChunkedStatement(
      "SELECT session_key, products FROM " + d.Quote(states.name) + " WHERE session_key IN (", 1,
      false, ")" + lock, "reading funnel product states", d.max_rows_per_statement());
  store_states_ = Upsert(states, d, OnConflict::kReplace, "storing funnel product states");
  add_counts_ = Upsert(t[kFunnelHour], d, OnConflict::kAdd, "adding to funnel_hour");
  add_delays_ = Upsert(t[kFunnelDelayHour], d, OnConflict::kAdd, "adding to funnel_delay_hour");
  expire_ = ChunkedStatement("DELETE FROM " + d.Quote(states.name) + " WHERE last_time < ", 1,
                             false, "", "expiring funnel product states", 1);
}

void FunnelWriter::Reset() {
  for (ChunkedStatement* s :
       {&ensure_clock_, &read_clock_, &store_clock_, &read_sessions_, &read_states_,
        &store_sessions_, &store_states_, &add_counts_, &add_delays_, &expire_}) {
    s->Reset();
  }
}

Status FunnelWriter::Write(SqlConnection& conn, const std::vector<const CleanedEvent*>& rows) {
  if (rows.empty()) return Status::Ok();
  const Dialect& d = dialect_;
  const SqlValue clock_key[] = {int64_t{1}, kNoTime};
  if (Status s = ensure_clock_.Execute(conn, d, clock_key); !s.ok()) return s;
  auto clock = read_clock_.Query(conn, d, {clock_key, 1});
  if (!clock.ok()) return clock.status();

  FunnelState state;
  if (!clock->empty()) state.newest = Int(clock->front(), 0);
  std::set<int64_t> touched;
  for (const CleanedEvent* row : rows) {
    if (row->has_session) touched.insert(static_cast<int64_t>(row->session_hash));
  }
  std::vector<SqlValue> keys(touched.begin(), touched.end());
  if (!keys.empty()) {
    auto sessions = read_sessions_.Query(conn, d, keys);
    if (!sessions.ok()) return sessions.status();
    for (const SqlRow& r : *sessions) {
      state.sessions[static_cast<uint64_t>(Int(r, 0))] =
          FunnelSession{Int(r, 1), static_cast<int32_t>(Int(r, 2))};
    }
    auto states = read_states_.Query(conn, d, keys);
    if (!states.ok()) return states.status();
    for (const SqlRow& r : *states) {
      auto packed = d.BlobBytes(r.at(1).value_or(""));
      if (!packed.ok()) return packed.status();
      Status s = UnpackProducts(static_cast<uint64_t>(Int(r, 0)), *packed, &state.products);
      if (!s.ok()) return s;
    }
  }

  FunnelDelta delta;
  for (const CleanedEvent* row : rows) state.Add(*row, FunnelSeconds(row->event_time), &delta);

  std::vector<SqlValue> values;
  for (const auto& [key, s] : state.sessions) {
    values.insert(values.end(), {static_cast<int64_t>(key), s.last_time, int64_t{s.reached}});
  }
  if (Status s = store_sessions_.Execute(conn, d, values); !s.ok()) return s;
  // Each touched session's product states as one row, without those that can change no count
  // any more (older than twice the horizon behind the clock, as the expiry below drops).
  const int64_t horizon =
      state.newest == kNoTime ? kNoTime : state.newest - 2 * kFunnelHorizonSeconds;
  std::vector<std::string> packed;
  std::vector<std::pair<uint64_t, int64_t>> rows_of;  // session, its newest product time
  for (const auto& [key, p] : state.products) {
    if (p.last_time < horizon) continue;
    if (rows_of.empty() || rows_of.back().first != key.first) {
      rows_of.emplace_back(key.first, p.last_time);
      packed.emplace_back();
    }
    AppendPackedProduct(key.second, p, &packed.back());
    rows_of.back().second = std::max(rows_of.back().second, p.last_time);
  }
  values.clear();
  for (size_t i = 0; i < rows_of.size(); ++i) {
    values.insert(values.end(),
                  {static_cast<int64_t>(rows_of[i].first), rows_of[i].second, SqlBlob{packed[i]}});
  }
  if (Status s = store_states_.Execute(conn, d, values); !s.ok()) return s;
  values.clear();
  for (const auto& [key, c] : delta.counts) {
    values.insert(values.end(),
                  {std::string_view(key.first), key.second, c.viewed, c.carted, c.bought});
  }
  if (Status s = add_counts_.Execute(conn, d, values); !s.ok()) return s;
  values.clear();
  for (const auto& [key, n] : delta.delays) {
    const auto& [hour, window, bucket] = key;
    values.insert(values.end(), {std::string_view(hour), window, bucket, n});
  }
  if (Status s = add_delays_.Execute(conn, d, values); !s.ok()) return s;
  if (state.newest == kNoTime) return Status::Ok();
  const SqlValue newest[] = {int64_t{1}, state.newest};
  if (Status s = store_clock_.Execute(conn, d, newest); !s.ok()) return s;
  // A product state this far behind the clock is reset by the next event that could still
  // count (session_funnel.h): dropping it changes no answer. A session goes once its newest
  // product state has.
  const SqlValue expired[] = {horizon};
  return expire_.Execute(conn, d, expired);
}

}  // namespace shopstream::sql
