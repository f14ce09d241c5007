// UTF-8 checks shared by the cleaning step and the stores: the seed's MySQL columns count
// characters, not bytes, and Cassandra's text type refuses anything but valid UTF-8.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace shopstream {

// Length of the valid UTF-8 sequence that starts at s[i] (1 to 4), or 0 when the bytes there
// are not one (a stray continuation byte, an overlong form, a surrogate, a cut sequence).
size_t Utf8SequenceLength(std::string_view s, size_t i);

bool IsValidUtf8(std::string_view s);

// Code points in valid UTF-8 text (for other text, the bytes that are not continuation bytes).
size_t CountUtf8Chars(std::string_view s);

// Valid UTF-8 of at most `max_bytes`: invalid sequences become U+FFFD, NUL becomes U+FFFD too
// (no text column of every database holds it), and the text is cut at a character boundary.
std::string SanitizeUtf8(std::string_view s, size_t max_bytes);

}  // namespace shopstream
