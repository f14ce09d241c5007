// The synthetic shop: categories (ids, codes, popularity), brands and products with fixed
// attributes, built deterministically from a seed and sized for the number of rows wanted.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/random.h"

namespace shopstream::generate {

struct CatalogSizes {
  uint32_t categories;
  uint32_t brands;
  uint32_t products;
};

// At full scale (67.5M rows) the data set has 684 category ids, ~4,200 brands and ~190,000
// products; smaller files get a smaller shop so that they still look like a month of it.
CatalogSizes CatalogSizesFor(uint64_t rows);

class Catalog {
 public:
  Catalog(uint64_t seed, const CatalogSizes& sizes);

  // A category by popularity, then a product of it by popularity.
  uint32_t PickCategory(Rng& rng) const;
  uint32_t PickProductIn(uint32_t category, Rng& rng) const;
  uint32_t PickProduct(Rng& rng) const { return PickProductIn(PickCategory(rng), rng); }

  uint32_t CategoryOf(uint32_t product) const { return category_of_[product]; }
  // "product_id,category_id,category_code,brand,price" of a product, ready for a CSV row.
  // At least 32 readable bytes follow the view, so it may be copied in 32-byte blocks.
  std::string_view ProductFields(uint32_t product) const {
    const char* slot = ProductSlot(product);
    return std::string_view(slot + 1, static_cast<uint8_t>(slot[0]));
  }
  // Where a product's fields live, for prefetching.
  const char* ProductSlot(uint32_t product) const {
    return slots_.data() + size_t{product} * kSlotBytes;
  }
  uint32_t product_count() const { return static_cast<uint32_t>(category_of_.size()); }
  uint32_t category_count() const { return static_cast<uint32_t>(categories_.size()); }
  const std::vector<std::string>& brands() const { return brands_; }

 private:
  struct Category {
    int64_t id = 0;
    std::string code;  // empty: the id has no code
    double price_level = 0;
    uint32_t first_product = 0;
    uint32_t product_count = 0;
  };
  static constexpr size_t kSlotBytes = 128;  // a length byte, then the text

  struct Product {
    uint32_t category = 0;
    uint32_t text_offset = 0;
    uint16_t text_length = 0;
  };

  void BuildCategories(Rng& rng, uint32_t count);
  void BuildBrands(Rng& rng, uint32_t count);
  void BuildProducts(Rng& rng, uint32_t count);

  std::vector<Category> categories_;         // by popularity rank
  std::vector<double> category_cumulative_;  // cumulative popularity, for picking
  std::vector<std::string> brands_;          // by popularity rank
  std::vector<Product> products_;  // while building: grouped by category, by popularity in it
  std::string fields_text_;        // while building
  std::string slots_;              // each product's fields in a fixed-size slot
  std::vector<uint16_t> category_of_;
};

}  // namespace shopstream::generate
