// Errors as values across component boundaries. A Status says what went wrong and whether
// trying the same call again can help (a server that is down) or not (bad input).
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace shopstream {

enum class StatusCode {
  kOk,
  kInvalidArgument,  // the caller's input is wrong; retrying will not help
  kRefusedValue,     // a store refused a value of the data it was given; the rest may go in
  kNotFound,         // a file, table or topic does not exist
  kIoError,          // reading or writing a local file failed
  kCorruption,       // stored data is not what it should be
  kUnavailable,      // a server or lock is not available now; a retry may succeed
  kInternal,         // a bug or an unexpected state
};

class Status {
 public:
  Status() = default;
  static Status Ok() { return Status(); }
  static Status InvalidArgument(std::string m) {
    return {StatusCode::kInvalidArgument, std::move(m)};
  }
  // A store refused some of the data (a value its column cannot hold): bisecting the batch
  // finds the rows to dead-letter. Configuration errors are InvalidArgument, never this.
  static Status RefusedValue(std::string m) { return {StatusCode::kRefusedValue, std::move(m)}; }
  static Status NotFound(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
  static Status IoError(std::string m) { return {StatusCode::kIoError, std::move(m)}; }
  static Status Corruption(std::string m) { return {StatusCode::kCorruption, std::move(m)}; }
  static Status Unavailable(std::string m) { return {StatusCode::kUnavailable, std::move(m)}; }
  static Status Internal(std::string m) { return {StatusCode::kInternal, std::move(m)}; }
  // For connectors that classify an error number into a code first.
  static Status FromCode(StatusCode code, std::string m) {
    return code == StatusCode::kOk ? Status() : Status(code, std::move(m));
  }

  bool ok() const { return code_ == StatusCode::kOk; }
  // True when the same call may succeed later (outages, busy locks).
  bool retryable() const { return code_ == StatusCode::kUnavailable; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  std::string ToString() const;

  // The same status with a short stable label of why input was refused and the field it
  // concerns (a dead letter's code, event/contract.h): set where the rule is decided, so that
  // rewording the message never changes the label. Empty when none was set.
  Status WithReason(std::string reason_code, std::string reason_field = {}) && {
    reason_code_ = std::move(reason_code);
    reason_field_ = std::move(reason_field);
    return std::move(*this);
  }
  const std::string& reason_code() const { return reason_code_; }
  const std::string& reason_field() const { return reason_field_; }

 private:
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
  std::string reason_code_;
  std::string reason_field_;
};

// A value or the Status that explains why there is none.
template <typename T>
class Result {
 public:
  Result(T value) : v_(std::move(value)) {}         // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) {}  // NOLINT: implicit by design

  bool ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(v_);
  }
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() { return value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace shopstream
