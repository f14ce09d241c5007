#include "event/hour_blocks.h"

namespace shopstream {

std::string_view HourBlockSpanText(int span) {
  switch (span) {
    case 3:
      return "3";
    case 12:
      return "12";
    case 24:
      return "24";
  }
  return "";
}

std::string HourBlockOf(std::string_view hour, int span) {
  int h = 0;
  if (hour.size() >= 13 && hour[11] >= '0' && hour[11] <= '9' && hour[12] >= '0' &&
      hour[12] <= '9') {
    h = (hour[11] - '0') * 10 + (hour[12] - '0');
  }
  h -= h % span;
  std::string out(hour.substr(0, 11));
  out.push_back(static_cast<char>('0' + h / 10));
  out.push_back(static_cast<char>('0' + h % 10));
  return out;
}

}  // namespace shopstream
