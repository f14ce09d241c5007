#include "event/json_codec.h"

#include <simdjson.h>

#include <charconv>
#include <cmath>
#include <cstring>

namespace shopstream {
namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;

void AppendEscaped(std::string_view s, std::string* out) {
  out->push_back('"');
  for (char c : s) {
    switch (c) {
      case '"':
        out->append("\\\"");
        break;
      case '\\':
        out->append("\\\\");
        break;
      case '\n':
        out->append("\\n");
        break;
      case '\r':
        out->append("\\r");
        break;
      case '\t':
        out->append("\\t");
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out->append(buf);
        } else {
          out->push_back(c);
        }
    }
  }
  out->push_back('"');
}

void AppendInt(int64_t v, std::string* out) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  out->append(buf, end);
}

// Python's repr(float): shortest round-trip digits, with ".0" on whole numbers; json.dumps'
// NaN, Infinity and -Infinity for the numbers JSON has no word for.
void AppendPythonFloat(double v, std::string* out) {
  if (std::isnan(v)) return out->append("NaN"), void();
  if (std::isinf(v)) return out->append(v > 0 ? "Infinity" : "-Infinity"), void();
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  std::string_view text(buf, end - buf);
  out->append(text);
  if (text.find_first_of(".eEn") == std::string_view::npos) out->append(".0");
}

void AppendOptional(const std::optional<std::string>& v, std::string* out) {
  if (v) {
    AppendEscaped(*v, out);
  } else {
    out->append("NaN");
  }
}

bool IsWordChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

// Copies `in` to `out`, turning the bare token NaN (outside strings) into null. Strings are
// skipped with memchr to their closing quote (a quote after an odd run of backslashes is
// escaped), so that only the few bytes between strings are looked at one by one.
void RewriteNaN(std::string_view in, std::string* out) {
  out->clear();
  const char* const p = in.data();
  const size_t n = in.size();
  size_t copied = 0;  // in[0, copied) is in `out`
  size_t i = 0;
  while (i < n) {
    const char c = p[i];
    if (c == '"') {
      // Inside a string: find its closing quote.
      size_t j = i + 1;
      for (;;) {
        const void* q = j < n ? std::memchr(p + j, '"', n - j) : nullptr;
        if (q == nullptr) {
          j = n;
          break;
        }
        j = static_cast<size_t>(static_cast<const char*>(q) - p);
        size_t backslashes = 0;
        while (j - backslashes > i + 1 && p[j - backslashes - 1] == '\\') ++backslashes;
        if (backslashes % 2 == 0) break;
        ++j;
      }
      i = j + 1;
    } else if (c == 'N' && in.compare(i, 3, "NaN") == 0 && (i == 0 || !IsWordChar(p[i - 1])) &&
               (i + 3 == n || !IsWordChar(p[i + 3]))) {
      out->append(p + copied, i - copied).append("null");
      i += 3;
      copied = i;
    } else {
      ++i;
    }
  }
  out->append(p + copied, n - copied);
}

enum Field : uint32_t {
  kEventTime = 1 << 0,
  kEventType = 1 << 1,
  kProductId = 1 << 2,
  kCategoryId = 1 << 3,
  kPrice = 1 << 4,
  kUserId = 1 << 5,
  kId = 1 << 6,
  kCategoryCode = 1 << 7,
  kBrand = 1 << 8,
  kUserSession = 1 << 9,
};
constexpr uint32_t kRequired =
    kEventTime | kEventType | kProductId | kCategoryId | kPrice | kUserId | kId;

Status WrongType(std::string_view key, std::string_view expected) {
  return Status::InvalidArgument("field \"" + std::string(key) + "\" is not " +
                                 std::string(expected))
      .WithReason("field.type", std::string(key));
}

// The readers say what the value should have been when it is not (nullptr: read), so that the
// loop over a message's fields builds no Status unless a field is wrong.
const char* ReadString(element v, std::string* out) {
  std::string_view s;
  if (v.get_string().get(s)) return "a string";
  out->assign(s);
  return nullptr;
}

const char* ReadOptionalString(element v, std::optional<std::string>* out) {
  if (v.is_null()) {
    out->reset();
    return nullptr;
  }
  std::string_view s;
  if (v.get_string().get(s)) return "a string or NaN";
  if (*out) {
    (*out)->assign(s);  // keeps the string's capacity when a decoder reuses its Event
  } else {
    out->emplace(s);
  }
  return nullptr;
}

// Integers arrive as JSON integers from the seed producer; digit strings are accepted too.
const char* ReadInt(element v, int64_t* out) {
  if (v.type() == element_type::INT64) {
    *out = v.get_int64().value_unsafe();
    return nullptr;
  }
  std::string_view s;
  if (v.get_string().get(s)) return "an integer";
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  if (ec != std::errc() || end != s.data() + s.size()) return "an integer";
  return nullptr;
}

const char* ReadDouble(element v, double* out) {
  if (v.get_double().get(*out)) return "a number";
  return nullptr;
}

}  // namespace

void EncodeEventJson(const Event& e, std::string* out) {
  out->append("{\"event_time\": ");
  AppendEscaped(e.event_time, out);
  out->append(", \"event_type\": ");
  AppendEscaped(e.event_type, out);
  out->append(", \"product_id\": ");
  AppendInt(e.product_id, out);
  out->append(", \"category_id\": ");
  AppendInt(e.category_id, out);
  out->append(", \"category_code\": ");
  AppendOptional(e.category_code, out);
  out->append(", \"brand\": ");
  AppendOptional(e.brand, out);
  out->append(", \"price\": ");
  AppendPythonFloat(e.price, out);
  out->append(", \"user_id\": ");
  AppendInt(e.user_id, out);
  out->append(", \"user_session\": ");
  AppendOptional(e.user_session, out);
  out->append(", \"id\": ");
  AppendEscaped(e.id, out);
  out->push_back('}');
}

struct EventDecoder::Impl {
  simdjson::dom::parser parser;
  std::string buffer;
};

EventDecoder::EventDecoder() : impl_(new Impl) {}
EventDecoder::~EventDecoder() { delete impl_; }

static_assert(kDecodePadding >= simdjson::SIMDJSON_PADDING);

Status EventDecoder::Decode(std::string_view message, Event* out) {
  return Parse(message, false, out);
}

Status EventDecoder::DecodePadded(std::string_view message, Event* out) {
  return Parse(message, true, out);
}

Status EventDecoder::Parse(std::string_view message, bool padded, Event* out) {
  if (message.size() > kMaxMessageBytes) {
    return Status::InvalidArgument("message of " + std::to_string(message.size()) +
                                   " bytes is larger than the limit of " +
                                   std::to_string(kMaxMessageBytes))
        .WithReason("message.too_large");
  }
  // A message with a bare NaN is rewritten into the decoder's buffer; so is one without the
  // padding the parser reads past its end. Others are parsed where they lie.
  const char* json = message.data();
  size_t length = message.size();
  const bool has_nan = std::memchr(message.data(), 'N', message.size()) != nullptr;
  if (has_nan || !padded) {
    std::string& buf = impl_->buffer;
    if (has_nan) {
      RewriteNaN(message, &buf);
    } else {
      buf.assign(message);
    }
    length = buf.size();
    buf.resize(length + simdjson::SIMDJSON_PADDING);
    json = buf.data();
  }

  // The DOM front end validates the whole message (UTF-8, structure, trailing bytes) with
  // the library's runtime-dispatched SIMD kernels.
  element doc;
  if (auto err = impl_->parser.parse(json, length, false).get(doc)) {
    // simdjson checks the whole message's UTF-8 first: bytes that are not are no syntax error.
    return Status::InvalidArgument(std::string("not JSON: ") + simdjson::error_message(err))
        .WithReason(err == simdjson::UTF8_ERROR ? "text.utf8" : "json.syntax");
  }
  simdjson::dom::object object;
  if (doc.get_object().get(object)) {
    return Status::InvalidArgument("not a JSON object").WithReason("json.shape");
  }
  // Fields are overwritten in place rather than by assigning a new Event, so that strings
  // keep their capacity when the caller reuses `out`; optional fields not seen are reset.
  uint32_t seen = 0;
  for (auto [key, value] : object) {
    const char* wrong = nullptr;  // what the value should have been
    if (key == "event_time") {
      wrong = ReadString(value, &out->event_time), seen |= kEventTime;
    } else if (key == "event_type") {
      wrong = ReadString(value, &out->event_type), seen |= kEventType;
    } else if (key == "product_id") {
      wrong = ReadInt(value, &out->product_id), seen |= kProductId;
    } else if (key == "category_id") {
      wrong = ReadInt(value, &out->category_id), seen |= kCategoryId;
    } else if (key == "category_code") {
      wrong = ReadOptionalString(value, &out->category_code), seen |= kCategoryCode;
    } else if (key == "brand") {
      wrong = ReadOptionalString(value, &out->brand), seen |= kBrand;
    } else if (key == "price") {
      wrong = ReadDouble(value, &out->price), seen |= kPrice;
    } else if (key == "user_id") {
      wrong = ReadInt(value, &out->user_id), seen |= kUserId;
    } else if (key == "user_session") {
      wrong = ReadOptionalString(value, &out->user_session), seen |= kUserSession;
    } else if (key == "id") {
      wrong = ReadString(value, &out->id), seen |= kId;
    }
    if (wrong) return WrongType(key, wrong);
  }
  if (!(seen & kCategoryCode)) out->category_code.reset();
  if (!(seen & kBrand)) out->brand.reset();
  if (!(seen & kUserSession)) out->user_session.reset();
  if ((seen & kRequired) != kRequired) {
    static const char* kNames[] = {"event_time", "event_type", "product_id", "category_id",
                                   "price",      "user_id",    "id"};
    for (int i = 0; i < 7; ++i) {
      if (!(seen & (1u << i))) {
        return Status::InvalidArgument(std::string("required field \"") + kNames[i] +
                                       "\" is missing")
            .WithReason("field.missing", kNames[i]);
      }
    }
  }
  return Status::Ok();
}

}  // namespace shopstream
