#include "sql/people_write_back.h"

#include <algorithm>
#include <iterator>

namespace shopstream::sql {

PeopleWriteBack::PeopleWriteBack(HeldPeople people, std::map<std::string, OffsetMap> offsets,
                                 std::map<std::string, std::set<int32_t>> resets)
    : people_(std::move(people)), offsets_(std::move(offsets)), resets_(std::move(resets)) {}

Status PeopleWriteBack::WriteTables(SqlConnection& conn, PeopleWriter& writer, Position* at,
                                    std::optional<Clock::time_point> until) {
  bool wrote = false;
  while (!TablesDone(*at)) {
    if (wrote && until && Clock::now() >= *until) return Status::Ok();  // the rest: next time
    if (rows_level_ != at->level) {
      rows_ = SpreadLevel(people_, at->level, /*with_brands=*/false);
      rows_level_ = at->level;
      next_ = rows_.cbegin();
      next_index_ = 0;
      next_brand_ = people_.by_day_brand.cbegin();
      next_brand_index_ = 0;
    }
    const size_t brands = at->level == kBrandLevel ? people_.by_day_brand.size() : 0;
    if (at->written < rows_.size()) {
      const size_t n = std::min(rows_.size() - at->written, PeopleWriter::RowsPerRound());
      if (next_index_ != at->written) {  // after a rollback: where the last commit left it
        next_ = std::next(rows_.cbegin(), static_cast<std::ptrdiff_t>(at->written));
        next_index_ = at->written;
      }
      auto last = std::next(next_, static_cast<std::ptrdiff_t>(n));
      if (Status s = writer.WriteLevel(conn, at->level, next_, last); !s.ok()) return s;
      next_ = last;
      next_index_ += n;
      at->written += n;
      wrote = true;
    } else if (at->written < rows_.size() + brands) {
      // The day's brand rows, made into sketches a round at a time.
      const size_t index = at->written - rows_.size();
      const size_t n = std::min(brands - index, PeopleWriter::RowsPerRound());
      if (next_brand_index_ != index) {
        next_brand_ = std::next(people_.by_day_brand.cbegin(), static_cast<std::ptrdiff_t>(index));
        next_brand_index_ = index;
      }
      PeopleSketchRows round;
      for (size_t i = 0; i < n; ++i, ++next_brand_) round.insert(BrandRow(*next_brand_));
      if (Status s = writer.WriteLevel(conn, at->level, round); !s.ok()) return s;
      next_brand_index_ += n;
      at->written += n;
      wrote = true;
    }
    if (at->written >= rows_.size() + brands) *at = {at->level + 1, 0};
  }
  return Status::Ok();
}

}  // namespace shopstream::sql

namespace shopstream::sql {

void PeopleWriteBack::ForgetOffsets(const std::string& stream, const OffsetMap& reset) {
  auto offsets = offsets_.find(stream);
  if (offsets == offsets_.end()) return;
  for (const auto& [partition, next] : reset) offsets->second.erase(partition);
  if (auto resets = resets_.find(stream); resets != resets_.end()) {
    for (const auto& [partition, next] : reset) resets->second.erase(partition);
  }
}

}  // namespace shopstream::sql
