#include "archive/layout.h"

#include <charconv>
#include <cstdio>

namespace shopstream::archive {
namespace {

constexpr std::string_view kPart = "part-";
constexpr std::string_view kFinalSuffix = ".parquet";
constexpr std::string_view kPendingSuffix = ".pending";
constexpr std::string_view kTempSuffix = ".tmp";

// Parses a non-negative decimal number that fills `text` exactly.
template <typename T>
bool ParseNumber(std::string_view text, T* out) {
  if (text.empty() || text.size() > 19) return false;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return ec == std::errc() && end == text.data() + text.size() && *out >= 0;
}

bool ConsumeSuffix(std::string_view* text, std::string_view suffix) {
  if (!text->ends_with(suffix)) return false;
  text->remove_suffix(suffix.size());
  return true;
}

}  // namespace

std::string FormatFileName(const FileName& n, FileState state) {
  // Zero-padded so that a listing sorts by partition and offset; wider numbers still parse.
  char body[96];
  std::snprintf(body, sizeof body, "part-%04d-%012lld-%012lld-%dof%d", n.partition,
                static_cast<long long>(n.first), static_cast<long long>(n.last), n.index, n.count);
  // Appends rather than operator+ chains, which GCC 12 warns about falsely (-Wrestrict).
  std::string out;
  if (state != FileState::kFinal) out.push_back('_');
  out.append(body);
  switch (state) {
    case FileState::kTemp:
      return out.append(kTempSuffix);
    case FileState::kPending:
      return out.append(kPendingSuffix);
    case FileState::kFinal:
      break;
  }
  return out.append(kFinalSuffix);
}

std::optional<ParsedFileName> ParseFileName(std::string_view text) {
  ParsedFileName out;
  if (text.starts_with('_')) {
    text.remove_prefix(1);
    if (ConsumeSuffix(&text, kPendingSuffix)) {
      out.state = FileState::kPending;
    } else if (ConsumeSuffix(&text, kTempSuffix)) {
      out.state = FileState::kTemp;
    } else {
      return std::nullopt;
    }
  } else if (ConsumeSuffix(&text, kFinalSuffix)) {
    out.state = FileState::kFinal;
  } else {
    return std::nullopt;
  }
  if (!text.starts_with(kPart)) return std::nullopt;
  text.remove_prefix(kPart.size());
  // partition-first-last-IofN
  std::string_view fields[4];
  for (int i = 0; i < 3; ++i) {
    size_t dash = text.find('-');
    if (dash == std::string_view::npos) return std::nullopt;
    fields[i] = text.substr(0, dash);
    text.remove_prefix(dash + 1);
  }
  fields[3] = text;
  size_t of = fields[3].find("of");
  if (of == std::string_view::npos) return std::nullopt;
  FileName& n = out.name;
  if (!ParseNumber(fields[0], &n.partition) || !ParseNumber(fields[1], &n.first) ||
      !ParseNumber(fields[2], &n.last) || !ParseNumber(fields[3].substr(0, of), &n.index) ||
      !ParseNumber(fields[3].substr(of + 2), &n.count)) {
    return std::nullopt;
  }
  if (n.first > n.last || n.count < 1 || n.index < 1 || n.index > n.count) return std::nullopt;
  return out;
}

std::string StartMarker(const StartMark& mark) {
  char body[64];
  std::snprintf(body, sizeof body, "part-%04d-%012lld", mark.partition,
                static_cast<long long>(mark.offset));
  std::string out(kStartMarkerPrefix);
  return out.append(body);
}

std::optional<StartMark> ParseStartMarker(std::string_view name) {
  if (!name.starts_with(kStartMarkerPrefix)) return std::nullopt;
  name.remove_prefix(kStartMarkerPrefix.size());
  if (!name.starts_with(kPart)) return std::nullopt;
  name.remove_prefix(kPart.size());
  const size_t dash = name.find('-');
  if (dash == std::string_view::npos) return std::nullopt;
  StartMark mark;
  if (!ParseNumber(name.substr(0, dash), &mark.partition) ||
      !ParseNumber(name.substr(dash + 1), &mark.offset)) {
    return std::nullopt;
  }
  return mark;
}

std::string StreamMarker(std::string_view stream) {
  std::string out(kStreamMarkerPrefix);
  for (char c : stream) {
    const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                       c == '.' || c == '_' || c == '-';
    out += plain ? c : '_';
  }
  return out;
}

std::string DateDir(std::string_view date) { return std::string(kDatePrefix) + std::string(date); }

bool IsArchiveDir(std::string_view name) {
  if (name == kDeadLetterDir) return true;
  if (!name.starts_with(kDatePrefix)) return false;
  std::string_view d = name.substr(kDatePrefix.size());
  if (d.size() != 10 || d[4] != '-' || d[7] != '-') return false;
  for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (d[i] < '0' || d[i] > '9') return false;
  }
  return true;
}

}  // namespace shopstream::archive
