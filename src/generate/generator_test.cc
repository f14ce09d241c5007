#include "generate/generator.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "csv/byte_source.h"
#include "csv/csv_event_reader.h"

namespace shopstream::generate {
namespace {

std::string GenerateText(uint64_t rows, uint64_t seed) {
  Generator generator({.rows = rows, .seed = seed});
  std::string text(Generator::Header());
  while (generator.Generate(4096, &text) > 0) {
  }
  return text;
}

std::unique_ptr<csv::CsvEventReader> Reader(std::string text) {
  auto reader = csv::CsvEventReader::FromSource(
      csv::MakeMemorySource(std::move(text), "generated.csv"), {.strict = true});
  EXPECT_TRUE(reader.ok()) << reader.status().ToString();
  return std::move(reader).value();
}

TEST(GeneratorTest, SameSeedSameBytesOtherSeedOtherBytes) {
  std::string a = GenerateText(20000, 7);
  EXPECT_EQ(a, GenerateText(20000, 7));
  EXPECT_NE(a, GenerateText(20000, 8));
}

TEST(GeneratorTest, ChunkSizeDoesNotChangeTheBytes) {
  Generator generator({.rows = 5000, .seed = 3});
  std::string text(Generator::Header());
  while (generator.Generate(1, &text) > 0) {
  }
  EXPECT_EQ(text, GenerateText(5000, 3));
}

// A stop (Ctrl-C in `shopstream generate`) before the first chunk leaves the header alone, in
// a file that is closed and complete.
TEST(GeneratorTest, AStopEndsTheFileAfterWholeRows) {
  const std::filesystem::path path = std::filesystem::temp_directory_path() /
                                     ("generator_stop_" + std::to_string(::getpid()) + ".csv");
  std::atomic<bool> stop{true};
  auto sink = csv::OpenByteSink(path.string());
  ASSERT_TRUE(sink.ok());
  ASSERT_TRUE(WriteGeneratedCsv({.rows = 1000000, .seed = 3, .stop = &stop}, **sink).ok());
  std::ifstream in(path, std::ios::binary);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::filesystem::remove(path);
  EXPECT_EQ(text, Generator::Header());
}

TEST(GeneratorTest, WritesExactlyTheRowsAskedForInTheDataSetFormat) {
  for (uint64_t rows : {0, 1, 2, 17, 1000}) {
    std::string text = GenerateText(rows, 1);
    ASSERT_TRUE(text.starts_with(
        "event_time,event_type,product_id,category_id,category_code,brand,price,user_id,"
        "user_session\n"));
    auto reader = Reader(text);
    Event event;
    uint64_t count = 0;
    while (*reader->Next(&event)) ++count;
    EXPECT_EQ(count, rows);
    EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), static_cast<long>(rows + 1));
    EXPECT_EQ(text.find('"'), std::string::npos);  // nothing is quoted
  }
}

// Shares of the data set, checked on a million rows.
TEST(GeneratorTest, MillionRowsHaveTheDataSetsProportionsAndStructure) {
  constexpr uint64_t kRows = 1000000;
  auto reader = Reader(GenerateText(kRows, 42));
  std::map<std::string, uint64_t> types;
  uint64_t no_code = 0, no_brand = 0, zero_price = 0;
  double max_price = 0;
  std::vector<double> prices;
  std::unordered_set<int64_t> users, products, categories;
  std::unordered_set<std::string> brands;
  std::unordered_set<std::string> codes;
  // Per session: products viewed, products in the cart.
  std::unordered_map<std::string, std::pair<std::set<int64_t>, std::multiset<int64_t>>> sessions;
  std::unordered_map<std::string, int64_t> session_user;
  uint64_t cart_without_view = 0, purchase_without_cart = 0, users_changed = 0;
  std::string last_time;
  Event e;
  uint64_t rows = 0;
  while (*reader->Next(&e)) {
    ++rows;
    ++types[e.event_type];
    ASSERT_GE(e.event_time, last_time) << "row " << rows;
    ASSERT_EQ(e.event_time.size(), 23u);
    ASSERT_TRUE(e.event_time.starts_with("2019-11-") && e.event_time.ends_with(" UTC"));
    last_time = e.event_time;
    if (!e.category_code) no_code++;
    if (!e.brand) {
      no_brand++;
    } else {
      brands.insert(*e.brand);
    }
    if (e.category_code) codes.insert(*e.category_code);
    if (e.price == 0) zero_price++;
    max_price = std::max(max_price, e.price);
    prices.push_back(e.price);
    users.insert(e.user_id);
    products.insert(e.product_id);
    categories.insert(e.category_id);
    ASSERT_TRUE(e.user_session.has_value());
    auto [owner, fresh] = session_user.emplace(*e.user_session, e.user_id);
    if (owner->second != e.user_id) users_changed++;
    auto& [viewed, cart] = sessions[*e.user_session];
    if (e.event_type == "view") {
      viewed.insert(e.product_id);
    } else if (e.event_type == "cart") {
      if (!viewed.contains(e.product_id)) cart_without_view++;
      cart.insert(e.product_id);
    } else {
      auto it = cart.find(e.product_id);
      if (it == cart.end()) {
        purchase_without_cart++;
      } else {
        cart.erase(it);
      }
    }
  }
  ASSERT_EQ(rows, kRows);
  auto share = [&](uint64_t n) { return 100.0 * n / kRows; };
  EXPECT_NEAR(share(types["view"]), 94.15, 0.25);
  EXPECT_NEAR(share(types["cart"]), 4.49, 0.2);
  EXPECT_NEAR(share(types["purchase"]), 1.36, 0.1);
  EXPECT_NEAR(share(no_code), 32.4, 1.5);
  EXPECT_NEAR(share(no_brand), 13.7, 1.0);
  EXPECT_GT(zero_price, 0u);
  EXPECT_EQ(max_price, 2574.07);
  std::nth_element(prices.begin(), prices.begin() + prices.size() / 2, prices.end());
  EXPECT_NEAR(prices[prices.size() / 2], 165, 25);
  EXPECT_NEAR(static_cast<double>(kRows) / users.size(), 18.3, 1.5);
  EXPECT_NEAR(static_cast<double>(kRows) / sessions.size(), 4.9, 0.3);
  EXPECT_EQ(categories.size(), 684u);
  EXPECT_GT(products.size(), 100000u);
  EXPECT_GT(brands.size(), 3500u);
  EXPECT_GT(codes.size(), 100u);
  EXPECT_EQ(cart_without_view, 0u);
  EXPECT_EQ(purchase_without_cart, 0u);
  EXPECT_EQ(users_changed, 0u);
  EXPECT_TRUE(last_time.starts_with("2019-11-30"));
}

TEST(GeneratorTest, SpansTheMonthAndKeepsCategoryCodesConsistent) {
  auto reader = Reader(GenerateText(50000, 5));
  std::unordered_map<int64_t, std::optional<std::string>> code_of;
  std::set<std::string> days;
  Event e;
  uint64_t inconsistent = 0;
  while (*reader->Next(&e)) {
    days.insert(e.event_time.substr(8, 2));
    auto [it, fresh] = code_of.emplace(e.category_id, e.category_code);
    if (it->second != e.category_code) inconsistent++;
  }
  EXPECT_EQ(days.size(), 30u);
  EXPECT_EQ(inconsistent, 0u);
}

TEST(GeneratorTest, PricesHaveTwoDecimals) {
  std::string text = GenerateText(2000, 9);
  size_t line_start = text.find('\n') + 1;
  while (line_start < text.size()) {
    size_t line_end = text.find('\n', line_start);
    std::string_view line(text.data() + line_start, line_end - line_start);
    // price is the 7th field
    size_t pos = 0;
    for (int i = 0; i < 6; ++i) pos = line.find(',', pos) + 1;
    std::string_view price = line.substr(pos, line.find(',', pos) - pos);
    ASSERT_GE(price.size(), 4u) << line;
    EXPECT_EQ(price[price.size() - 3], '.') << line;
    line_start = line_end + 1;
  }
}

}  // namespace
}  // namespace shopstream::generate
