// Bytes as lowercase hex digits and back: for bytes that must travel as text (an exported dead
// letter that is not UTF-8, a CQL blob shown in a terminal).
#pragma once

#include <string>
#include <string_view>

namespace shopstream {

std::string ToHex(std::string_view bytes);
// False (and `out` unspecified) when `hex` has an odd length or a character that is no digit;
// either case of a-f is taken.
bool FromHex(std::string_view hex, std::string* out);

}  // namespace shopstream
