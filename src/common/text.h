// Making untrusted text safe to show: stream values and file contents reach log lines, error
// messages and dead-letter reasons, where a control character or an ESC sequence must not
// reach a terminal raw, and where a 1 MB value must not become a 1 MB message.
#pragma once

#include <string>
#include <string_view>

namespace shopstream {

// `text` with every control character (C0, DEL, C1) and every byte that is not part of valid
// UTF-8 written as \xNN (C1 code points as \u0080-\u009F); other text, multibyte included, is
// kept. Backslashes are kept as they are.
std::string EscapeControls(std::string_view text);

// `text` escaped as above, cut after `max_chars` characters with "..." and put in single
// quotes: for naming a value in a message ("price '1e39' is above ...").
std::string QuoteValue(std::string_view text, size_t max_chars = 40);

}  // namespace shopstream
