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

void PeopleSketches::Merge(const PeopleSketches& other) {
  users.Merge(other.users);
  sessions.Merge(other.sessions);
  viewing.Merge(other.viewing);
  carting.Merge(other.carting);
  buying.Merge(other.buying);
}

void PeopleDelta::Add(const CleanedEvent& row) {
  by_minute[{row.event_time.substr(0, 16), row.department}].Add(row);
  by_hour[{row.event_time.substr(0, 13), row.department, row.brand}].Add(row);
}

PeopleLevels Spread(const PeopleDelta& delta) {
  PeopleLevels out;
  for (const auto& [key, entries] : delta.by_minute) {
    const auto& [minute, department] = key;
    out.minute[{kScopeAll, "", "", minute}].Append(entries);
    out.minute[{kScopeDepartment, department, "", minute}].Append(entries);
  }
  for (const auto& [key, entries] : delta.by_hour) {
    const auto& [hour, department, brand] = key;
    const std::string day = hour.substr(0, 10);
    for (PeopleRows* rows : {&out.hour, &out.all}) {
      const std::string bucket = rows == &out.hour ? hour : std::string();
      (*rows)[{kScopeAll, "", "", bucket}].Append(entries);
      (*rows)[{kScopeDepartment, department, "", bucket}].Append(entries);
      (*rows)[{kScopeBrand, "", brand, bucket}].Append(entries);
      (*rows)[{kScopeDepartmentBrand, department, brand, bucket}].Append(entries);
    }
    out.day[{kScopeAll, "", "", day}].Append(entries);
    out.day[{kScopeDepartment, department, "", day}].Append(entries);
  }
  return out;
}

}  // namespace shopstream
