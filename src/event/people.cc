#include "event/people.h"

#include <algorithm>
#include <iterator>

namespace shopstream {
namespace {

void AppendTo(std::vector<uint32_t>* into, const std::vector<uint32_t>& from) {
  into->insert(into->end(), from.begin(), from.end());
}

// A set's entries as a sparse sketch keeps them: sorted, one per index, the highest rank.
void Normalize(std::vector<uint32_t>* entries) {
  std::sort(entries->begin(), entries->end());
  sketch::KeepHighestPerIndex(entries);
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

HeldBrandPeople::HeldBrandPeople(const HeldBrandPeople& other)
    : entries_(other.entries_),
      ends_(other.ends_),
      sketches_(other.sketches_ ? std::make_unique<PeopleSketches>(*other.sketches_) : nullptr) {}

HeldBrandPeople& HeldBrandPeople::operator=(const HeldBrandPeople& other) {
  if (this != &other) *this = HeldBrandPeople(other);
  return *this;
}

void HeldBrandPeople::Add(PeopleEntries entries) {
  if (sketches_) {
    sketches_->Add(std::move(entries));
    return;
  }
  std::vector<uint32_t>* sets[kSets] = {&entries.users, &entries.sessions, &entries.viewing,
                                        &entries.carting, &entries.buying};
  std::vector<uint32_t> merged, set;
  merged.reserve(entries_.size() + entries.users.size() + entries.sessions.size() +
                 entries.viewing.size() + entries.carting.size() + entries.buying.size());
  std::array<uint32_t, kSets> ends{};
  bool large = false;
  uint32_t begin = 0;
  for (size_t i = 0; i < kSets; ++i) {
    Normalize(sets[i]);
    set.clear();
    std::merge(entries_.begin() + begin, entries_.begin() + ends_[i], sets[i]->begin(),
               sets[i]->end(), std::back_inserter(set));
    sketch::KeepHighestPerIndex(&set);
    large |= set.size() > sketch::kMaxSparseEntries;
    merged.insert(merged.end(), set.begin(), set.end());
    begin = ends_[i];
    ends[i] = static_cast<uint32_t>(merged.size());
  }
  entries_ = std::move(merged);
  ends_ = ends;
  if (large) {
    sketches_ = std::make_unique<PeopleSketches>(Sketches());
    entries_ = {};
    ends_ = {};
  }
}

PeopleSketches HeldBrandPeople::Sketches() const {
  if (sketches_) return *sketches_;
  PeopleSketches out;
  sketch::HyperLogLog* sets[kSets] = {&out.users, &out.sessions, &out.viewing, &out.carting,
                                      &out.buying};
  uint32_t begin = 0;
  for (size_t i = 0; i < kSets; ++i) {
    sets[i]->AddEntries({entries_.begin() + begin, entries_.begin() + ends_[i]});
    begin = ends_[i];
  }
  return out;
}

size_t HeldBrandPeople::heap_bytes() const {
  const size_t entries = entries_.capacity() * sizeof(uint32_t);
  return sketches_ ? entries + sizeof(PeopleSketches) + sketches_->heap_bytes() : entries;
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
  // A map node: its links, the key's strings (short ones inline) and the row's sketches.
  constexpr size_t kMinuteNode = 64 + 2 * sizeof(std::string) + sizeof(PeopleSketches);
  constexpr size_t kBrandNode = 64 + 3 * sizeof(std::string) + sizeof(HeldBrandPeople);
  size_t bytes = by_minute.size() * kMinuteNode + by_day_brand.size() * kBrandNode;
  for (const auto& [key, sketches] : by_minute) bytes += sketches.heap_bytes();
  for (const auto& [key, held] : by_day_brand) bytes += held.heap_bytes();
  return bytes;
}

std::pair<PeopleKey, PeopleSketches> BrandRow(
    const std::pair<const std::tuple<std::string, std::string, std::string>, HeldBrandPeople>&
        row) {
  const auto& [day, brand, department] = row.first;
  return {{kScopeBrand, brand, department, day}, row.second.Sketches()};
}

PeopleSketchRows SpreadLevel(const HeldPeople& held, size_t level, bool with_brands) {
  PeopleSketchRows out;
  for (const auto& [key, sketches] : held.by_minute) {
    const auto& [minute, department] = key;
    const size_t length[] = {minute.size(), 13, 10, 0};  // the bucket: minute, hour, day, ''
    const std::string bucket = minute.substr(0, length[level]);
    out[{kScopeAll, "", "", bucket}].Merge(sketches);
    out[{kScopeDepartment, "", department, bucket}].Merge(sketches);
  }
  if (level == kBrandLevel && with_brands) {
    for (const auto& row : held.by_day_brand) out.insert(BrandRow(row));
  }
  return out;
}

PeopleSketchLevels Spread(const HeldPeople& held) {
  return {SpreadLevel(held, 0), SpreadLevel(held, 1), SpreadLevel(held, 2), SpreadLevel(held, 3)};
}

}  // namespace shopstream
