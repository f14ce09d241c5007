#include "event/people.h"

namespace shopstream {
namespace {

void AppendTo(std::vector<uint32_t>* into, const std::vector<uint32_t>& from) {
  into->insert(into->end(), from.begin(), from.end());
}

}  // namespace

void PeopleEntries::Add(const CleanedEvent& row) {
  users.push_back(sketch::SparseEntry(row.user_hash));
  if (!row.has_session) return;
  const uint32_t session = sketch::SparseEntry(row.session_hash);
  sessions.push_back(session);
  if (row.event_type == "view") viewing.push_back(session);
  if (row.event_type == "cart") carting.push_back(session);
  if (row.event_type == "purchase") buying.push_back(session);
}

void PeopleEntries::Append(const PeopleEntries& other) {
  AppendTo(&users, other.users);
  AppendTo(&sessions, other.sessions);
  AppendTo(&viewing, other.viewing);
  AppendTo(&carting, other.carting);
  AppendTo(&buying, other.buying);
}

void PeopleSketches::Add(PeopleEntries entries) {
  users.AddEntries(std::move(entries.users));
  sessions.AddEntries(std::move(entries.sessions));
  viewing.AddEntries(std::move(entries.viewing));
  carting.AddEntries(std::move(entries.carting));
  buying.AddEntries(std::move(entries.buying));
}

bool PeopleSketches::Merge(const PeopleSketches& other) {
  bool changed = users.Merge(other.users);  // every one merged: no short circuit
  changed |= sessions.Merge(other.sessions);
  changed |= viewing.Merge(other.viewing);
  changed |= carting.Merge(other.carting);
  changed |= buying.Merge(other.buying);
  return changed;
}

void PeopleDelta::Add(const CleanedEvent& row) {
  const std::string_view time = row.event_time, department = row.department;
  AtViews(by_minute, time.substr(0, 16), department).Add(row);
  AtViews(by_day_brand, time.substr(0, 10), std::string_view(row.brand), department).Add(row);
}

PeopleLevels Spread(const PeopleDelta& delta) {
  PeopleLevels out;
  for (const auto& [key, entries] : delta.by_minute) {
    const auto& [minute, department] = key;
    const std::string hour = minute.substr(0, 13), day = minute.substr(0, 10);
    for (const auto& [rows, bucket] :
         {std::pair{&out.minute, minute}, std::pair{&out.hour, hour}, std::pair{&out.day, day},
          std::pair{&out.all, std::string()}}) {
      (*rows)[{kScopeAll, "", "", bucket}].Append(entries);
      (*rows)[{kScopeDepartment, "", department, bucket}].Append(entries);
    }
  }
  for (const auto& [key, entries] : delta.by_day_brand) {
    const auto& [day, brand, department] = key;
    out.day[{kScopeBrand, brand, department, day}].Append(entries);
  }
  return out;
}

void HeldPeople::Add(PeopleDelta delta) {
  for (auto& [key, entries] : delta.by_minute) by_minute[key].Add(std::move(entries));
  for (auto& [key, entries] : delta.by_day_brand) by_day_brand[key].Add(std::move(entries));
}

size_t PeopleSketches::heap_bytes() const {
  return users.heap_bytes() + sessions.heap_bytes() + viewing.heap_bytes() + carting.heap_bytes() +
         buying.heap_bytes();
}

size_t HeldPeople::heap_bytes() const {
  // A map node: its links, the key's strings (short ones inline) and the five sketches.
  constexpr size_t kNode = 64 + 3 * sizeof(std::string) + sizeof(PeopleSketches);
  size_t bytes = rows() * kNode;
  for (const auto& [key, sketches] : by_minute) bytes += sketches.heap_bytes();
  for (const auto& [key, sketches] : by_day_brand) bytes += sketches.heap_bytes();
  return bytes;
}

PeopleSketchRows SpreadLevel(const HeldPeople& held, size_t level) {
  PeopleSketchRows out;
  for (const auto& [key, sketches] : held.by_minute) {
    const auto& [minute, department] = key;
    const size_t length[] = {minute.size(), 13, 10, 0};  // the bucket: minute, hour, day, ''
    const std::string bucket = minute.substr(0, length[level]);
    out[{kScopeAll, "", "", bucket}].Merge(sketches);
    out[{kScopeDepartment, "", department, bucket}].Merge(sketches);
  }
  if (level == 2) {
    for (const auto& [key, sketches] : held.by_day_brand) {
      const auto& [day, brand, department] = key;
      out[{kScopeBrand, brand, department, day}].Merge(sketches);
    }
  }
  return out;
}

PeopleSketchLevels Spread(const HeldPeople& held) {
  return {SpreadLevel(held, 0), SpreadLevel(held, 1), SpreadLevel(held, 2), SpreadLevel(held, 3)};
}

}  // namespace shopstream
