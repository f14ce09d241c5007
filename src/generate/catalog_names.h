// Word lists for the synthetic catalogue: category codes in the data set's
// department.group[.kind[.detail]] style with a typical price, and well-known brands.
#pragma once

#include <span>
#include <string_view>

namespace shopstream::generate {

struct CategoryCodeInfo {
  std::string_view code;
  double typical_price;  // median price of the products under this code
};

// Most visited first.
std::span<const CategoryCodeInfo> CategoryCodes();
// Most visited first; the generator invents the rest of the 4,200 brands.
std::span<const std::string_view> KnownBrands();

}  // namespace shopstream::generate
