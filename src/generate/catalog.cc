#include "generate/catalog.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <unordered_set>

#include "generate/catalog_names.h"

namespace shopstream::generate {
namespace {

// Shares of all rows in the 2019-Nov data set.
constexpr double kEmptyCodeShare = 0.324;
constexpr double kEmptyBrandShare = 0.137;

constexpr uint32_t kFullCategories = 684;
constexpr uint32_t kFullBrands = 4200;
constexpr uint32_t kFullProducts = 190000;

constexpr int64_t kFirstCategoryId = 2053013552226107603;
constexpr int64_t kCategoryIdSpan = 133424112566534247;  // up to 2186437664792641850
constexpr int64_t kFirstProductId = 1000000;
constexpr int64_t kProductIdsPerCategory = 146000;

constexpr uint32_t kMaxPriceCents = 257407;  // the data set's highest price, 2574.07
constexpr double kZeroPriceShare = 0.002;
// Tuned so that the median price over all rows is near the data set's 165.
constexpr double kPriceScale = 1.25;
constexpr double kCodelessPriceLevel = 110;

// Golden-ratio steps spread "which ranks lack a brand" evenly over each popularity range,
// so that the share of rows without a brand stays close to its target even in small files.
constexpr double kGoldenFraction = 0.6180339887498949;

std::string InventBrand(Rng& rng) {
  static constexpr std::string_view kOnsets[] = {"b",  "d",  "f",  "g",  "k",  "l", "m",  "n",
                                                 "p",  "r",  "s",  "t",  "v",  "z", "sh", "ch",
                                                 "br", "st", "tr", "gr", "kr", "pl"};
  static constexpr std::string_view kVowels[] = {"a", "e", "i", "o", "u", "a", "o", "ia", "e"};
  static constexpr std::string_view kCodas[] = {"", "", "", "n", "s", "x", "r", "l", "k", "t"};
  std::string name;
  uint64_t syllables = 2 + rng.Below(2);
  for (uint64_t i = 0; i < syllables; ++i) {
    name += kOnsets[rng.Below(std::size(kOnsets))];
    name += kVowels[rng.Below(std::size(kVowels))];
  }
  name += kCodas[rng.Below(std::size(kCodas))];
  return name;
}

void AppendNumber(std::string& out, int64_t value) {
  char text[24];
  auto [end, ec] = std::to_chars(text, text + sizeof text, value);
  out.append(text, end);
}

void AppendPrice(std::string& out, uint32_t cents) {
  AppendNumber(out, cents / 100);
  out += '.';
  out += static_cast<char>('0' + cents / 10 % 10);
  out += static_cast<char>('0' + cents % 10);
}

}  // namespace

CatalogSizes CatalogSizesFor(uint64_t rows) {
  auto products = static_cast<uint32_t>(std::clamp<uint64_t>(rows / 4, 50, kFullProducts));
  return {.categories = std::clamp<uint32_t>(products / 25, 10, kFullCategories),
          .brands = std::clamp<uint32_t>(products / 40, 20, kFullBrands),
          .products = products};
}

Catalog::Catalog(uint64_t seed, const CatalogSizes& sizes) {
  Rng rng(seed ^ 0x5ca1ab1e0ddba11ull);
  BuildCategories(rng, sizes.categories);
  BuildBrands(rng, sizes.brands);
  BuildProducts(rng, std::max(sizes.products, sizes.categories));
}

void Catalog::BuildCategories(Rng& rng, uint32_t count) {
  std::span<const CategoryCodeInfo> codes = CategoryCodes();
  std::unordered_set<int64_t> ids;
  double total = 0, codeless = 0;
  uint32_t coded = 0;
  categories_.resize(count);
  category_cumulative_.resize(count);
  for (uint32_t rank = 0; rank < count; ++rank) {
    Category& c = categories_[rank];
    do {
      c.id = kFirstCategoryId + static_cast<int64_t>(rng.Below(kCategoryIdSpan));
    } while (!ids.insert(c.id).second);
    double weight = 1.0 / std::pow(rank + 1.0, 1.0);
    // Error diffusion: a category goes without a code when that keeps the running share of
    // code-less traffic nearest its target.
    bool no_code = codeless + weight / 2 < kEmptyCodeShare * (total + weight);
    total += weight;
    category_cumulative_[rank] = total;
    if (no_code) {
      codeless += weight;
      c.price_level = std::exp(std::log(kCodelessPriceLevel) + 0.9 * rng.Normal());
    } else {
      // The first coded ids take the codes in order of popularity; later ids share codes,
      // as several ids share one code in the data set.
      size_t pick = coded < codes.size() ? coded : rng.Skewed(codes.size(), 0.6);
      c.code = codes[pick].code;
      c.price_level = kPriceScale * codes[pick].typical_price * std::exp(0.25 * rng.Normal());
      ++coded;
    }
  }
}

void Catalog::BuildBrands(Rng& rng, uint32_t count) {
  std::unordered_set<std::string> seen;
  for (std::string_view known : KnownBrands()) {
    if (brands_.size() == count) break;
    brands_.emplace_back(known);
    seen.emplace(known);
  }
  while (brands_.size() < count) {
    std::string name = InventBrand(rng);
    double shape = rng.Uniform();
    if (shape < 0.03) {
      name.push_back('-');  // like "hotpoint-ariston"
      name.append(InventBrand(rng));
    } else if (shape < 0.035) {
      name = {name[0], '.', name[1], '.'};  // like "p.i.t."
    }
    if (seen.insert(name).second) brands_.push_back(std::move(name));
  }
}

void Catalog::BuildProducts(Rng& rng, uint32_t count) {
  // Product counts grow more slowly than traffic: popular categories are not that much
  // wider than the others.
  double spread_total = 0;
  for (uint32_t rank = 0; rank < categories_.size(); ++rank) {
    spread_total += std::pow(rank + 1.0, -0.6);
  }
  auto brand_count = static_cast<uint32_t>(brands_.size());
  // Each category owns its own range of product ids, in shuffled order.
  std::vector<uint32_t> id_ranges(kFullCategories);
  for (uint32_t i = 0; i < kFullCategories; ++i) id_ranges[i] = i;
  for (uint32_t i = kFullCategories - 1; i > 0; --i)
    std::swap(id_ranges[i], id_ranges[rng.Below(i + 1)]);
  uint32_t highest_rank = 0;
  for (uint32_t rank = 0; rank < categories_.size(); ++rank) {
    Category& c = categories_[rank];
    c.first_product = static_cast<uint32_t>(products_.size());
    c.product_count = std::max<uint32_t>(
        1, static_cast<uint32_t>(count * std::pow(rank + 1.0, -0.6) / spread_total));
    // The top categories sell the best-known brands; the others a window of the rest.
    uint32_t pool = std::clamp<uint32_t>(c.product_count / 5, 2, 80);
    uint32_t pool_start = rank < 12 ? 0 : static_cast<uint32_t>(rng.Below(brand_count));
    double brandless_offset = rng.Uniform();
    uint64_t id_step = std::max<uint64_t>(1, kProductIdsPerCategory / (c.product_count + 1));
    int64_t id_base =
        kFirstProductId + int64_t{id_ranges[rank % kFullCategories]} * kProductIdsPerCategory;
    for (uint32_t k = 0; k < c.product_count; ++k) {
      Product p;
      p.category = rank;
      p.text_offset = static_cast<uint32_t>(fields_text_.size());
      int64_t product_id = id_base + static_cast<int64_t>(k * id_step + rng.Below(id_step));
      double price = c.price_level * std::exp(0.5 * rng.Normal());
      auto cents = static_cast<uint32_t>(std::clamp(price * 100, 77.0, kMaxPriceCents - 1.0));
      if (rng.Chance(kZeroPriceShare)) cents = 0;
      bool brandless = std::fmod(k * kGoldenFraction + brandless_offset, 1.0) < kEmptyBrandShare;
      AppendNumber(fields_text_, product_id);
      fields_text_ += ',';
      AppendNumber(fields_text_, c.id);
      fields_text_ += ',';
      fields_text_ += c.code;
      fields_text_ += ',';
      if (!brandless) {
        fields_text_ += brands_[(pool_start + rng.Skewed(pool, 0.5)) % brand_count];
      }
      fields_text_ += ',';
      AppendPrice(fields_text_, cents);
      p.text_length = static_cast<uint16_t>(fields_text_.size() - p.text_offset);
      products_.push_back(p);
    }
    if (rank < 30 && c.price_level > categories_[highest_rank].price_level) highest_rank = rank;
  }
  // The most popular product of the priciest popular category carries the data set's maximum
  // price, so that the price range is the real one.
  Product& top = products_[categories_[highest_rank].first_product];
  std::string_view text(fields_text_.data() + top.text_offset, top.text_length);
  std::string fixed(text.substr(0, text.rfind(',') + 1));
  AppendPrice(fixed, kMaxPriceCents);
  top.text_offset = static_cast<uint32_t>(fields_text_.size());
  top.text_length = static_cast<uint16_t>(fixed.size());
  fields_text_ += fixed;

  // Move every product's text into its own fixed slot: the generator then finds a product's
  // bytes by arithmetic alone and can prefetch them.
  slots_.assign(products_.size() * kSlotBytes + 32, '\0');  // + slack for block copies
  category_of_.resize(products_.size());
  for (size_t i = 0; i < products_.size(); ++i) {
    size_t length = std::min<size_t>(products_[i].text_length, kSlotBytes - 1);  // ~110 at most
    slots_[i * kSlotBytes] = static_cast<char>(length);
    fields_text_.copy(slots_.data() + i * kSlotBytes + 1, length, products_[i].text_offset);
    category_of_[i] = static_cast<uint16_t>(products_[i].category);
  }
  products_ = {};
  fields_text_ = {};
}

uint32_t Catalog::PickCategory(Rng& rng) const {
  double target = rng.Uniform() * category_cumulative_.back();
  auto it = std::upper_bound(category_cumulative_.begin(), category_cumulative_.end(), target);
  auto rank = static_cast<uint32_t>(it - category_cumulative_.begin());
  return std::min(rank, static_cast<uint32_t>(categories_.size() - 1));
}

uint32_t Catalog::PickProductIn(uint32_t category, Rng& rng) const {
  const Category& c = categories_[category];
  return c.first_product + static_cast<uint32_t>(rng.Skewed(c.product_count, 0.4));
}

}  // namespace shopstream::generate
