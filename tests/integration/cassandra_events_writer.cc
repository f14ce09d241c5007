// Test and benchmark driver for the Cassandra raw store: makes N deterministic 2019-Nov-shaped
// events (optionally with hostile strings), writes them through OpenCassandraRawStore in
// batches, dumps what it wrote as JSON lines for an independent reader to compare, and prints
// one JSON line of figures: rows, wall seconds, rows/s and this process's CPU seconds.
//
//   cassandra_events_writer --to URI --count N [--seed S] [--hostile] [--batch B] [--dump FILE]

#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <random>
#include <string>
#include <vector>

#include "cassandra/cassandra_raw_store.h"
#include "common/cpu_time.h"
#include "common/uri.h"
#include "event/event.h"

namespace {

using shopstream::Event;

std::string JsonString(const std::string& s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c == '"')
      out += "\\\"";
    else if (c == '\\')
      out += "\\\\";
    else if (c < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else
      out += static_cast<char>(c);
  }
  return out + "\"";
}

std::string JsonOptional(const std::optional<std::string>& s) {
  return s ? JsonString(*s) : "null";
}

std::string MakeUuid(std::mt19937_64& rng) {
  static const char* kHex = "0123456789abcdef";
  std::string u;
  uint64_t hi = rng(), lo = rng();
  for (int i = 0; i < 32; ++i) {
    if (i == 8 || i == 12 || i == 16 || i == 20) u += '-';
    uint64_t word = i < 16 ? hi : lo;
    int nibble = static_cast<int>((word >> (60 - 4 * (i % 16))) & 15);
    if (i == 12) nibble = 4;                 // version 4
    if (i == 16) nibble = 8 | (nibble & 3);  // RFC 4122 variant
    u += kHex[nibble];
  }
  return u;
}

std::vector<Event> MakeEvents(size_t count, uint64_t seed, bool hostile) {
  std::mt19937_64 rng(seed);
  const char* types[] = {"view", "view", "view", "view", "view",
                         "view", "view", "view", "cart", "purchase"};
  const char* codes[] = {"electronics.smartphone", "appliances.kitchen.washer", "apparel.shoes",
                         "computers.notebook", "electronics.audio.headphone"};
  const char* brands[] = {"samsung", "apple", "xiaomi", "huawei", "lucente", "bosch", "a-case"};
  std::vector<Event> events;
  for (size_t i = 0; i < count; ++i) {
    Event e;
    char time[40];
    std::snprintf(time, sizeof time, "2019-11-%02d %02d:%02d:%02d UTC",
                  static_cast<int>(1 + rng() % 30), static_cast<int>(rng() % 24),
                  static_cast<int>(rng() % 60), static_cast<int>(rng() % 60));
    e.event_time = time;
    e.event_type = types[rng() % 10];
    e.product_id = static_cast<int64_t>(1000000 + rng() % 60000000);
    e.category_id = static_cast<int64_t>(2053013552226107603ULL + rng() % 10000000000ULL);
    if (rng() % 3) e.category_code = codes[rng() % 5];
    if (rng() % 8) e.brand = brands[rng() % 7];
    e.price = static_cast<double>(rng() % 257407) / 100.0;
    e.user_id = static_cast<int64_t>(500000000 + rng() % 100000000);
    if (rng() % 1000) e.user_session = MakeUuid(rng);
    e.id = MakeUuid(rng);
    events.push_back(std::move(e));
  }
  if (hostile && !events.empty()) {
    const std::string strings[] = {
        "O'Brien \"quoted\" `back`",
        "'); DROP TABLE operations; --",
        "emoji \xF0\x9F\x98\x80 clef \xF0\x9D\x84\x9E han \xE6\xBC\xA2",
        std::string(10 * 1024, 'b') + "\xF0\x9F\x9B\x92",
        "tab\there\nnew line\\backslash\r",
        "",  // empty, which is not null
        "%s %n {} ${x} $(id) \\N NaN null",
    };
    for (size_t k = 0; k < std::size(strings) && k < events.size(); ++k) {
      events[k].brand = strings[k];
      events[k].category_code = strings[std::size(strings) - 1 - k];
      events[k].user_session = strings[k];
      events[k].event_time = strings[(k + 3) % std::size(strings)];
    }
  }
  return events;
}

int Usage() {
  std::cerr << "usage: cassandra_events_writer --to URI --count N [--seed S] [--hostile] "
               "[--batch B] [--dump FILE] [--no-init]\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::string to, dump;
  size_t count = 0, batch = 5000;
  uint64_t seed = 1;
  bool hostile = false, init = true;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> std::string { return i + 1 < argc ? argv[++i] : ""; };
    if (a == "--to")
      to = next();
    else if (a == "--count")
      count = std::stoul(next());
    else if (a == "--seed")
      seed = std::stoull(next());
    else if (a == "--batch")
      batch = std::stoul(next());
    else if (a == "--dump")
      dump = next();
    else if (a == "--hostile")
      hostile = true;
    else if (a == "--no-init")
      init = false;
    else
      return Usage();
  }
  if (to.empty() || batch == 0) return Usage();
  auto uri = shopstream::ParseUri(to);
  if (!uri.ok()) {
    std::cerr << uri.status().message() << "\n";
    return 2;
  }
  auto store = shopstream::cassandra::OpenCassandraRawStore(*uri);
  if (!store.ok()) {
    std::cerr << store.status().message() << "\n";
    return 2;
  }
  std::vector<Event> events = MakeEvents(count, seed, hostile);
  if (!dump.empty()) {
    std::ofstream out(dump);
    for (const Event& e : events) {
      out << "{\"id\":" << JsonString(e.id) << ",\"event_time\":" << JsonString(e.event_time)
          << ",\"event_type\":" << JsonString(e.event_type) << ",\"product_id\":" << e.product_id
          << ",\"category_id\":" << e.category_id
          << ",\"category_code\":" << JsonOptional(e.category_code)
          << ",\"brand\":" << JsonOptional(e.brand) << ",\"price\":" << e.price
          << ",\"user_id\":" << e.user_id << ",\"user_session\":" << JsonOptional(e.user_session)
          << "}\n";
    }
  }
  if (init) {
    if (auto s = (*store)->Init(); !s.ok()) {
      std::cerr << "init: " << s.ToString() << "\n";
      return 1;
    }
  }
  double cpu0 = shopstream::ProcessCpuSeconds();
  auto t0 = std::chrono::steady_clock::now();
  for (size_t start = 0; start < events.size(); start += batch) {
    std::vector<Event> part(
        events.begin() + static_cast<long>(start),
        events.begin() + static_cast<long>(std::min(events.size(), start + batch)));
    if (auto s = (*store)->Write(part); !s.ok()) {
      std::cerr << "write: " << s.ToString() << "\n";
      return s.retryable() ? 3 : 1;
    }
  }
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  double cpu = shopstream::ProcessCpuSeconds() - cpu0;
  std::printf("{\"rows\":%zu,\"seconds\":%.3f,\"rows_per_s\":%.0f,\"cpu_seconds\":%.3f}\n",
              events.size(), seconds,
              seconds > 0 ? static_cast<double>(events.size()) / seconds : 0.0, cpu);
  return 0;
}
