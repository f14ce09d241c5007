#include "event/uuid.h"

#include <array>
#include <chrono>
#include <random>

namespace shopstream {
namespace {
// 100 ns intervals between 1582-10-15 (the Gregorian reform, UUID epoch) and 1970-01-01.
constexpr uint64_t kGregorianOffset = 0x01B21DD213814000ULL;
}  // namespace

Uuid1Generator::Uuid1Generator() {
  std::random_device rd;
  std::mt19937_64 rng((static_cast<uint64_t>(rd()) << 32) ^ rd());
  clock_seq_ = static_cast<uint16_t>(rng() & 0x3FFF);
  node_ = (rng() & 0xFFFFFFFFFFFFULL) | 0x010000000000ULL;
}

std::string Uuid1Generator::Next() {
  auto now = std::chrono::system_clock::now().time_since_epoch();
  uint64_t ts = static_cast<uint64_t>(
                    std::chrono::duration_cast<std::chrono::nanoseconds>(now).count() / 100) +
                kGregorianOffset;
  if (ts <= last_timestamp_) ts = last_timestamp_ + 1;
  last_timestamp_ = ts;

  uint32_t time_low = static_cast<uint32_t>(ts & 0xFFFFFFFF);
  uint16_t time_mid = static_cast<uint16_t>((ts >> 32) & 0xFFFF);
  uint16_t time_hi_version = static_cast<uint16_t>(((ts >> 48) & 0x0FFF) | 0x1000);
  uint16_t clock_seq_variant = static_cast<uint16_t>(clock_seq_ | 0x8000);

  static const char* kHex = "0123456789abcdef";
  std::string out(36, '-');
  auto put = [&](size_t pos, uint64_t value, int digits) {
    for (int i = digits - 1; i >= 0; --i) {
      out[pos + i] = kHex[value & 0xF];
      value >>= 4;
    }
  };
  put(0, time_low, 8);
  put(9, time_mid, 4);
  put(14, time_hi_version, 4);
  put(19, clock_seq_variant, 4);
  put(24, node_, 12);
  return out;
}

}  // namespace shopstream

namespace shopstream {
bool IsUuidText(std::string_view t) {
  if (t.size() != 36 || t[8] != '-' || t[13] != '-' || t[18] != '-' || t[23] != '-') return false;
  // Every byte a hex digit or a dash, four dashes in all (the four above): one pass without a
  // branch per byte, as every message's id and session go through it.
  static constexpr auto kHexOrDash = [] {
    std::array<bool, 256> allowed{};
    for (unsigned char c : std::string_view("0123456789abcdefABCDEF-")) allowed[c] = true;
    return allowed;
  }();
  bool ok = true;
  int dashes = 0;
  for (char c : t) {
    ok &= kHexOrDash[static_cast<unsigned char>(c)];
    dashes += c == '-';
  }
  return ok && dashes == 4;
}
}  // namespace shopstream
