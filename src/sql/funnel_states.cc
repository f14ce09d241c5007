#include "sql/funnel_states.h"

namespace shopstream::sql {
namespace {

void AppendInt(int64_t value, std::string* out) {
  const auto bits = static_cast<uint64_t>(value);
  for (int shift = 0; shift < 64; shift += 8) out->push_back(static_cast<char>(bits >> shift));
}

int64_t ReadInt(std::string_view bytes) {
  uint64_t bits = 0;
  for (int i = 7; i >= 0; --i) bits = (bits << 8) | static_cast<unsigned char>(bytes[i]);
  return static_cast<int64_t>(bits);
}

}  // namespace

void AppendPackedProduct(int64_t product_id, const FunnelProduct& product, std::string* packed) {
  for (int64_t value : {product_id, product.first_view, product.last_view, product.carted_view,
                        product.last_time}) {
    AppendInt(value, packed);
  }
}

Status UnpackProducts(uint64_t session, std::string_view packed,
                      std::map<std::pair<uint64_t, int64_t>, FunnelProduct>* into) {
  if (packed.size() % kPackedProductBytes != 0) {
    return Status::Corruption("a funnel_states value of " + std::to_string(packed.size()) +
                              " bytes is not whole products of " +
                              std::to_string(kPackedProductBytes));
  }
  for (size_t at = 0; at < packed.size(); at += kPackedProductBytes) {
    auto field = [&](int i) { return ReadInt(packed.substr(at + 8 * i, 8)); };
    (*into)[{session, field(0)}] = FunnelProduct{field(1), field(2), field(3), field(4)};
  }
  return Status::Ok();
}

}  // namespace shopstream::sql
