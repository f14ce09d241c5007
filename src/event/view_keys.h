// Maps keyed by tuples of strings, searched with tuples of views: adding an event to a bucket
// the batch has seen already allocates nothing; only a new bucket copies its key.
#pragma once

#include <string_view>
#include <tuple>
#include <utility>

namespace shopstream {

// Orders keys of strings and keys of views alike, element by element as string_views (GCC's
// std::less<> compares tuples of different types, clang's use of libstdc++ does not).
struct ViewLess {
  using is_transparent = void;
  template <typename A, typename B>
  bool operator()(const A& a, const B& b) const {
    return Views(a) < Views(b);
  }

 private:
  template <typename Tuple>
  static auto Views(const Tuple& t) {
    return std::apply([](const auto&... s) { return std::make_tuple(std::string_view(s)...); }, t);
  }
};

// The value at the key made of `parts` (views), made when the map does not hold it yet.
template <typename Map, typename... Parts>
typename Map::mapped_type& AtViews(Map& map, Parts... parts) {
  auto it = map.find(std::tuple<Parts...>(parts...));
  if (it == map.end()) {
    it = map.emplace(typename Map::key_type(parts...), typename Map::mapped_type{}).first;
  }
  return it->second;
}

}  // namespace shopstream
