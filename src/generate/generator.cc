#include "generate/generator.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstring>
#include <vector>

#include "common/random.h"
#include "generate/catalog.h"

namespace shopstream::generate {
namespace {

constexpr std::string_view kHeader =
    "event_time,event_type,product_id,category_id,category_code,brand,price,user_id,"
    "user_session\n";

constexpr uint32_t kMonthSeconds = 30 * 24 * 3600;
constexpr size_t kMaxRowBytes = 512;

// The data set's shape: 18.3 rows per user, 4.9 per session; 4.49 % carts and 1.36 %
// purchases. Every purchase follows a cart of the same product in its session, so a cart
// turns into a purchase with probability 1.36 / 4.49.
constexpr double kRowsPerUser = 18.3;
constexpr double kRowsPerSession = 4.9;
constexpr double kCartShare = 0.0449;
constexpr double kPurchaseShare = 0.0136;
constexpr double kPurchasePerCart = kPurchaseShare / kCartShare;
// Views and carts per session (purchases come on top), and the chance that an event after
// the first is a cart, from the shares above.
constexpr double kSlotsPerSession = kRowsPerSession * (1 - kPurchaseShare);
constexpr double kCartChance = kCartShare * kRowsPerSession / (kSlotsPerSession - 1);
// Session lengths: a mix of short visits and long browsing.
constexpr double kShortSessionShare = 0.55;
constexpr double kShortSessionMean = 2.2;
constexpr double kLongSessionMean =
    (kSlotsPerSession - kShortSessionShare * kShortSessionMean) / (1 - kShortSessionShare);
constexpr uint64_t kMaxSlots = 200;

enum EventType : uint8_t { kView, kCart, kPurchase };
// Each type with its comma, padded to 16 bytes so that one fixed-size copy writes it.
struct TypeText {
  char text[16];
  uint8_t length;
};
constexpr TypeText kTypeTexts[] = {{"view,", 5}, {"cart,", 5}, {"purchase,", 9}};

// Copies `n` bytes in 32-byte blocks; `dst` and `src` must have 31 bytes of slack past `n`.
// Fixed-size copies compile to a few vector moves, much cheaper than a memcpy call per field.
inline char* CopyBlocks(char* dst, const char* src, size_t n) {
  for (size_t i = 0; i < n; i += 32) std::memcpy(dst + i, src + i, 32);
  return dst + n;
}

// Traffic by hour of the day (UTC) and by day of November: quiet nights, busy afternoons,
// and the mid-month sale days.
constexpr std::array<double, 24> kHourWeight = {0.30, 0.22, 0.25, 0.40, 0.60, 0.80, 0.90, 0.95,
                                                1.00, 1.00, 1.00, 1.05, 1.10, 1.15, 1.20, 1.25,
                                                1.30, 1.25, 1.10, 0.90, 0.70, 0.55, 0.45, 0.35};
double DayWeight(int day) {  // day 1..30
  if (day == 15) return 1.5;
  if (day == 16) return 2.1;
  if (day == 17) return 2.4;
  bool weekend = (day % 7 == 2) || (day % 7 == 3);  // Nov 2, 3 2019 were a weekend
  return weekend ? 1.1 : 1.0;
}

// Maps a share of the month's traffic to the second when it is reached.
class TrafficClock {
 public:
  TrafficClock() {
    cumulative_[0] = 0;
    for (int h = 0; h < 720; ++h) {
      weight_[h] = kHourWeight[h % 24] * DayWeight(h / 24 + 1);
      cumulative_[h + 1] = cumulative_[h] + weight_[h];
    }
  }
  uint32_t SecondAt(double share) const {
    double target = std::clamp(share, 0.0, 1.0) * cumulative_[720];
    auto it = std::upper_bound(cumulative_.begin(), cumulative_.end(), target);
    int hour = std::clamp(static_cast<int>(it - cumulative_.begin()) - 1, 0, 719);
    double within = (target - cumulative_[hour]) / weight_[hour];
    auto second = static_cast<uint32_t>(hour * 3600 + std::min(within, 0.9999) * 3600);
    return std::min(second, kMonthSeconds - 1);
  }

 private:
  std::array<double, 720> weight_;
  std::array<double, 721> cumulative_;
};

struct PlannedEvent {
  uint32_t second;
  EventType type;
  uint32_t product;
};

struct Session {
  uint64_t sequence = 0;  // start order; breaks ties between equal times
  char user[24];
  uint8_t user_length = 0;
  char uuid[36];
  std::vector<PlannedEvent> events;
  size_t next = 0;
};

// A session's next event, ordered by time, then by session start.
struct HeapEntry {
  uint32_t second;
  uint32_t slot;
  uint64_t sequence;
  uint32_t product;  // of that event, to prefetch its text
  bool operator>(const HeapEntry& o) const {
    return second != o.second ? second > o.second : sequence > o.sequence;
  }
};

void WriteUuid(Rng& rng, char* out) {
  static constexpr char kHex[] = "0123456789abcdef";
  uint64_t a = rng.Next(), b = rng.Next();
  int bit = 0;
  for (int i = 0; i < 36; ++i) {
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      out[i] = '-';
      continue;
    }
    uint64_t nibble = bit < 64 ? (a >> bit) & 15 : (b >> (bit - 64)) & 15;
    bit += 4;
    if (i == 14) nibble = 4;                 // version 4
    if (i == 19) nibble = 8 | (nibble & 3);  // RFC 4122 variant
    out[i] = kHex[nibble];
  }
}

}  // namespace

class Generator::Impl {
 public:
  explicit Impl(const GeneratorOptions& options)
      : rows_(options.rows),
        rng_(options.seed),
        catalog_(options.seed, CatalogSizesFor(options.rows)) {
    users_ = std::max<uint64_t>(1, static_cast<uint64_t>(rows_ / kRowsPerUser + 0.5));
    double sessions = std::max(1.0, rows_ / kRowsPerSession);
    new_user_chance_ = std::min(1.0, users_ / sessions);
    user_spacing_ = std::max<uint64_t>(1, 67000000 / users_);
    PlanNextSession();
  }

  size_t Generate(char* buffer, size_t capacity, size_t* bytes) {
    char* p = buffer;
    char* limit = buffer + capacity;
    size_t produced = 0;
    while (limit - p >= static_cast<ptrdiff_t>(kMaxRowBytes) && done_ < rows_) {
      // Start the next session when its first event is due before anything else.
      if (pending_ != kNone &&
          (heap_.empty() || sessions_[pending_].events[0].second <= heap_.front().second)) {
        const Session& s = sessions_[pending_];
        Push({s.events[0].second, pending_, s.sequence, s.events[0].product});
        pending_ = kNone;
        PlanNextSession();
        continue;
      }
      HeapEntry top = heap_.front();
      std::pop_heap(heap_.begin(), heap_.end(), std::greater<>());
      heap_.pop_back();
      Session& s = sessions_[top.slot];
      p = WriteRow(s, s.events[s.next], p);
      ++produced;
      ++done_;
      if (++s.next < s.events.size()) {
        const PlannedEvent& next = s.events[s.next];
        Push({next.second, top.slot, s.sequence, next.product});
      } else {
        free_slots_.push_back(top.slot);
      }
      // The catalogue is larger than the caches: fetch the products of the next rows (the
      // heap's first entries) and their sessions early.
      for (size_t i = 0; i < std::min<size_t>(3, heap_.size()); ++i) {
        const char* slot = catalog_.ProductSlot(heap_[i].product);
        __builtin_prefetch(slot);
        __builtin_prefetch(slot + 64);
        __builtin_prefetch(&sessions_[heap_[i].slot]);
      }
    }
    *bytes = p - buffer;
    return produced;
  }

  uint64_t done() const { return done_; }
  uint64_t total() const { return rows_; }

 private:
  static constexpr uint32_t kNone = UINT32_MAX;

  // Draws the whole of the next session: its user, its events and their times.
  void PlanNextSession() {
    if (planned_ >= rows_) return;
    uint32_t slot;
    if (!free_slots_.empty()) {
      slot = free_slots_.back();
      free_slots_.pop_back();
    } else {
      slot = static_cast<uint32_t>(sessions_.size());
      sessions_.emplace_back();
    }
    Session& s = sessions_[slot];
    s.sequence = sequence_++;
    s.next = 0;
    s.events.clear();
    WriteUser(PickUser(), s);
    WriteUuid(rng_, s.uuid);

    uint64_t slots =
        std::min(kMaxSlots, rng_.Chance(kShortSessionShare) ? rng_.Geometric(kShortSessionMean)
                                                            : rng_.Geometric(kLongSessionMean));
    uint64_t length = slots;
    uint32_t viewed = catalog_.PickProduct(rng_);
    AddEvent(s, kView, viewed);
    std::vector<uint32_t>& to_buy = to_buy_;
    to_buy.clear();
    for (uint64_t i = 1; i < slots; ++i) {
      // Purchases come soon after their cart, before the next view or cart.
      while (!to_buy.empty() && rng_.Chance(0.5)) {
        AddEvent(s, kPurchase, to_buy.back());
        to_buy.pop_back();
      }
      if (rng_.Chance(kCartChance)) {
        AddEvent(s, kCart, viewed);
        if (rng_.Chance(kPurchasePerCart)) {
          to_buy.push_back(viewed);
          ++length;
        }
        continue;
      }
      double how = rng_.Uniform();
      if (how < 0.20) {
        // Looks at the same product again.
      } else if (how < 0.65) {
        viewed = catalog_.PickProductIn(catalog_.CategoryOf(viewed), rng_);
      } else {
        viewed = catalog_.PickProduct(rng_);
      }
      AddEvent(s, kView, viewed);
    }
    for (uint32_t product : to_buy) AddEvent(s, kPurchase, product);
    // The last session stops at the row count asked for.
    length = std::min<uint64_t>(length, rows_ - planned_);
    s.events.resize(length);

    uint32_t second = clock_.SecondAt((planned_ + 0.5) / rows_);
    for (PlannedEvent& e : s.events) {
      e.second = second;
      second = std::min<uint32_t>(kMonthSeconds - 1,
                                  second + 2 + static_cast<uint32_t>(rng_.Exponential(45)));
    }
    planned_ += length;
    pending_ = slot;
  }

  void AddEvent(Session& s, EventType type, uint32_t product) {
    s.events.push_back({0, type, product});
  }

  void Push(const HeapEntry& entry) {
    heap_.push_back(entry);
    std::push_heap(heap_.begin(), heap_.end(), std::greater<>());
  }

  // A new user while some are left (at the pace that uses them all), else a returning one,
  // often one of the early, heavier users.
  uint64_t PickUser() {
    if (users_seen_ < users_ && (users_seen_ == 0 || rng_.Chance(new_user_chance_))) {
      return users_seen_++;
    }
    return rng_.Chance(0.5) ? rng_.Below(users_seen_) : rng_.Skewed(users_seen_, 0.5);
  }

  void WriteUser(uint64_t user, Session& s) {
    // Spread over the data set's 9-digit id range; the jitter is a fixed hash of the index.
    uint64_t jitter = (user * 0x9E3779B97F4A7C15ull >> 40) % user_spacing_;
    int64_t id = 512000000 + static_cast<int64_t>(user * user_spacing_ + jitter);
    auto [end, ec] = std::to_chars(s.user, s.user + sizeof s.user, id);
    s.user_length = static_cast<uint8_t>(end - s.user);
  }

  char* WriteRow(const Session& s, const PlannedEvent& e, char* p) {
    if (e.second != cached_second_) FormatTime(e.second);
    std::memcpy(p, time_text_, sizeof time_text_);
    p += sizeof time_text_;
    *p++ = ',';
    const TypeText& type = kTypeTexts[e.type];
    std::memcpy(p, type.text, sizeof type.text);
    p += type.length;
    std::string_view fields = catalog_.ProductFields(e.product);  // padded: see Catalog
    p = CopyBlocks(p, fields.data(), fields.size());
    *p++ = ',';
    std::memcpy(p, s.user, sizeof s.user);
    p += s.user_length;
    *p++ = ',';
    std::memcpy(p, s.uuid, sizeof s.uuid);
    p += sizeof s.uuid;
    *p++ = '\n';
    return p;
  }

  void FormatTime(uint32_t second) {
    cached_second_ = second;
    uint32_t day = second / 86400 + 1, rest = second % 86400;
    uint32_t parts[4] = {day, rest / 3600, rest / 60 % 60, rest % 60};
    std::memcpy(time_text_, "2019-11-01 00:00:00 UTC", sizeof time_text_);
    const int offsets[4] = {8, 11, 14, 17};
    for (int i = 0; i < 4; ++i) {
      time_text_[offsets[i]] = static_cast<char>('0' + parts[i] / 10);
      time_text_[offsets[i] + 1] = static_cast<char>('0' + parts[i] % 10);
    }
  }

  uint64_t rows_;
  Rng rng_;
  Catalog catalog_;
  TrafficClock clock_;
  uint64_t users_ = 1;
  uint64_t users_seen_ = 0;
  uint64_t user_spacing_ = 1;
  double new_user_chance_ = 1;
  uint64_t planned_ = 0;  // rows given to sessions so far
  uint64_t done_ = 0;     // rows written so far
  uint64_t sequence_ = 0;
  std::vector<Session> sessions_;  // slots, reused when a session ends
  std::vector<uint32_t> free_slots_;
  std::vector<HeapEntry> heap_;  // a min-heap by (second, sequence)
  uint32_t pending_ = kNone;
  std::vector<uint32_t> to_buy_;
  uint32_t cached_second_ = UINT32_MAX;
  char time_text_[23];
};

Generator::Generator(const GeneratorOptions& options) : impl_(std::make_unique<Impl>(options)) {}
Generator::~Generator() = default;
std::string_view Generator::Header() { return kHeader; }
size_t Generator::Generate(char* buffer, size_t capacity, size_t* bytes) {
  return impl_->Generate(buffer, capacity, bytes);
}
size_t Generator::Generate(size_t max_rows, std::string* out) {
  size_t start = out->size();
  out->resize(start + max_rows * kMaxRowBytes);
  size_t bytes = 0;
  size_t rows = Generate(out->data() + start, max_rows * kMaxRowBytes, &bytes);
  out->resize(start + bytes);
  return rows;
}
uint64_t Generator::rows_done() const { return impl_->done(); }
uint64_t Generator::rows_total() const { return impl_->total(); }

Status WriteGeneratedCsv(const GeneratorOptions& options, csv::ByteSink& sink,
                         const std::function<void(uint64_t)>& progress) {
  constexpr size_t kChunkBytes = 1 << 20;
  Generator generator(options);
  Status s = sink.Write(Generator::Header());
  std::unique_ptr<char[]> chunk(new char[kChunkBytes]);
  while (s.ok() && (options.stop == nullptr || !options.stop->load())) {
    size_t bytes = 0;
    size_t rows = generator.Generate(chunk.get(), kChunkBytes, &bytes);
    if (rows == 0) break;
    s = sink.Write(std::string_view(chunk.get(), bytes));
    if (progress) progress(generator.rows_done());
  }
  if (!s.ok()) return s;
  return sink.Close();
}

}  // namespace shopstream::generate
