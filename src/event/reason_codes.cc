// The short code of a dead letter. New refusals carry theirs in their Status (CodeOfStatus);
// CodeOfReason reads it back from a reason's wording, only for the rows of stores made before
// codes existed (their reasons were worded as below, and a rewording today cannot change them).
// Each rule matches one wording. A reason quotes the value it refuses, which may hold any text,
// so a rule reads the field name at the start and finds its marker from the end (after the
// value).
#include <algorithm>
#include <array>

#include "event/contract.h"

namespace shopstream {
namespace {

bool Has(std::string_view reason, std::string_view marker) {
  return reason.rfind(marker) != std::string_view::npos;
}

// The name before the first space when it is one of `names`, else "".
std::string_view LeadingField(std::string_view reason,
                              std::initializer_list<std::string_view> names) {
  const std::string_view first = reason.substr(0, reason.find(' '));
  for (std::string_view name : names) {
    if (first == name) return name;
  }
  return {};
}

// `field "NAME" ...` or `required field "NAME" ...`: NAME.
std::string FieldInQuotes(std::string_view reason) {
  const size_t open = reason.find('"');
  if (open == std::string_view::npos) return "";
  const size_t close = reason.find('"', open + 1);
  if (close == std::string_view::npos) return "";
  return std::string(reason.substr(open + 1, close - open - 1));
}

ReasonCode EventTimeCode(std::string_view reason) {
  // The value is quoted first: markers are looked for after it.
  if (Has(reason, "' ends in '")) return {"event_time.zone", "event_time"};
  if (Has(reason, "' has year ")) return {"event_time.range", "event_time"};
  if (Has(reason, "' has month ") || Has(reason, "' is not a calendar date") ||
      Has(reason, "' is not a time of day")) {
    return {"event_time.calendar", "event_time"};
  }
  return {"event_time.format", "event_time"};
}

}  // namespace

ReasonCode CodeOfStatus(const Status& status) {
  if (status.reason_code().empty()) return {"other", ""};
  return {status.reason_code(), status.reason_field()};
}

ReasonCode CodeOfReason(std::string_view reason) {
  // The processor's own wordings first: they quote a store's message, which may say anything.
  if (Has(reason.substr(0, reason.find(':')), " refused the row")) return {"store.refused", ""};
  if (reason.starts_with("offsets ") &&
      reason.ends_with("by the bus's retention before they were read")) {
    return {"bus.retention", ""};
  }
  if (reason.starts_with("not JSON: ")) {
    // simdjson says so of bytes that are not UTF-8 anywhere in the message.
    if (Has(reason, "UTF-8") || Has(reason, "UTF8")) return {"text.utf8", ""};
    return {"json.syntax", ""};
  }
  if (reason == "not a JSON object") return {"json.shape", ""};
  if (reason.starts_with("message of ") && Has(reason, " bytes is larger than the limit")) {
    return {"message.too_large", ""};
  }
  if (reason.starts_with("required field \"")) return {"field.missing", FieldInQuotes(reason)};
  if (reason.starts_with("field \"")) return {"field.type", FieldInQuotes(reason)};
  if (reason.starts_with("id ") && reason.ends_with("' is not a UUID")) return {"id.format", "id"};
  if (reason.starts_with("event_time '")) return EventTimeCode(reason);
  if (reason.starts_with("price ")) return {"price.range", "price"};
  const std::string_view text = LeadingField(
      reason, {"event_type", "category_code", "brand", "user_session", "department", "product"});
  if (!text.empty()) {
    const std::string field(text);
    if (reason.ends_with("' is not valid UTF-8")) return {"text.utf8", field};
    if (reason.ends_with("' holds a NUL character")) return {"text.nul", field};
    if (Has(reason, "' has 0 characters (")) return {"text.empty", field};
    if (Has(reason, " characters (1 to ") || Has(reason, " characters after cleaning;")) {
      return {"text.too_long", field};
    }
  }
  return {"other", ""};
}

const std::vector<std::string_view>& ReasonCodes() {
  static const std::vector<std::string_view> codes = [] {
    std::vector<std::string_view> all = {
        "bus.retention",    "event_time.calendar", "event_time.format",
        "event_time.range", "event_time.zone",     "field.missing",
        "field.type",       "id.format",           "json.shape",
        "json.syntax",      "message.too_large",   "other",
        "price.range",      "store.refused",       "text.empty",
        "text.nul",         "text.too_long",       "text.utf8"};
    std::sort(all.begin(), all.end());
    return all;
  }();
  return codes;
}

bool IsReasonCode(std::string_view code) {
  const auto& codes = ReasonCodes();
  return std::binary_search(codes.begin(), codes.end(), code);
}

}  // namespace shopstream
