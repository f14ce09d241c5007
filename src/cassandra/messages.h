// Bodies of the v4 messages that shopstream uses (spec section 4): request encoders and
// response decoders. Decoders return Corruption for malformed or truncated bodies.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cassandra/codec.h"
#include "cassandra/frame.h"
#include "cassandra/types.h"
#include "common/status.h"

namespace shopstream::cassandra {

// ---- requests ----

// STARTUP with CQL_VERSION 3.0.0 and no compression.
std::string EncodeStartup();
// AUTH_RESPONSE for SASL PLAIN: the token is "\0user\0password".
std::string EncodePlainAuthResponse(std::string_view user, std::string_view password);

struct QueryParameters {
  Consistency consistency = Consistency::kOne;
  std::vector<Value> values;
  int32_t page_size = 0;                    // 0: no paging
  std::optional<std::string> paging_state;  // from a previous page
};
std::string EncodeQuery(std::string_view cql, const QueryParameters& params);
std::string EncodePrepare(std::string_view cql);
std::string EncodeExecute(std::string_view prepared_id, const QueryParameters& params);

// ---- responses ----

// The prefix of any response body selected by header flags: tracing id, then warnings,
// then custom payload. Returns the rest of the body.
struct ResponseExtras {
  std::optional<Uuid> tracing_id;
  std::vector<std::string> warnings;
};
Result<std::string_view> StripResponseExtras(uint8_t flags, std::string_view body,
                                             ResponseExtras* extras);

struct ColumnSpec {
  std::string keyspace;
  std::string table;
  std::string name;
  ColumnType type;
};

struct RowsMetadata {
  int32_t flags = 0;
  std::vector<ColumnSpec> columns;  // empty when the No_metadata flag was set
  int32_t column_count = 0;
  std::optional<std::string> paging_state;  // set when there are more pages
};

// One row: a [bytes] per column, nullopt for null.
using Row = std::vector<std::optional<std::string>>;

enum class ResultKind : int32_t {
  kVoid = 0x0001,
  kRows = 0x0002,
  kSetKeyspace = 0x0003,
  kPrepared = 0x0004,
  kSchemaChange = 0x0005,
};

struct SchemaChange {
  std::string change_type;  // CREATED, UPDATED, DROPPED
  std::string target;       // KEYSPACE, TABLE, TYPE, FUNCTION, AGGREGATE
  std::string keyspace;
  std::string name;                         // empty for KEYSPACE
  std::vector<std::string> argument_types;  // FUNCTION, AGGREGATE
};

struct PreparedResult {
  std::string id;
  std::vector<ColumnSpec> bind_columns;  // the bind markers' names and types
  std::vector<uint16_t> pk_indexes;
  RowsMetadata result_metadata;
};

struct ResultMessage {
  ResultKind kind = ResultKind::kVoid;
  RowsMetadata metadata;  // kRows
  std::vector<Row> rows;  // kRows
  std::string keyspace;   // kSetKeyspace
  PreparedResult prepared;
  SchemaChange schema_change;
};

Result<ResultMessage> DecodeResult(std::string_view body);

// ERROR codes of section 9.
enum class ErrorCode : int32_t {
  kServerError = 0x0000,
  kProtocolError = 0x000A,
  kAuthenticationError = 0x0100,
  kUnavailable = 0x1000,
  kOverloaded = 0x1001,
  kIsBootstrapping = 0x1002,
  kTruncateError = 0x1003,
  kWriteTimeout = 0x1100,
  kReadTimeout = 0x1200,
  kReadFailure = 0x1300,
  kFunctionFailure = 0x1400,
  kWriteFailure = 0x1500,
  kSyntaxError = 0x2000,
  kUnauthorized = 0x2100,
  kInvalid = 0x2200,
  kConfigError = 0x2300,
  kAlreadyExists = 0x2400,
  kUnprepared = 0x2500,
};

struct ErrorMessage {
  ErrorCode code = ErrorCode::kServerError;
  std::string message;
  // Extra fields that some codes carry.
  std::optional<Consistency> consistency;
  int32_t received = 0;
  int32_t block_for = 0;  // required replicas (Unavailable: required; timeouts: blockfor)
  int32_t alive = 0;
  std::string write_type;
  std::string unprepared_id;    // kUnprepared
  std::string keyspace, table;  // kAlreadyExists

  // A Status for callers: outages and timeouts are Unavailable (retryable), the caller's
  // mistakes (syntax, invalid, unauthorized, already exists, auth) InvalidArgument with the
  // server's text, anything else Internal.
  Status ToStatus(std::string_view where) const;
};

const char* ErrorCodeName(ErrorCode code);
Result<ErrorMessage> DecodeError(std::string_view body);

// AUTHENTICATE: the authenticator's class name.
Result<std::string> DecodeAuthenticate(std::string_view body);
// SUPPORTED: a [string multimap] of options.
Result<std::map<std::string, std::vector<std::string>>> DecodeSupported(std::string_view body);

}  // namespace shopstream::cassandra
