#include "cassandra/messages.h"

#include <algorithm>

namespace shopstream::cassandra {

namespace {

// QUERY/EXECUTE <flags> bits (section 4.1.4).
constexpr uint8_t kQueryValues = 0x01;
constexpr uint8_t kQueryPageSize = 0x04;
constexpr uint8_t kQueryPagingState = 0x08;

// Rows metadata flags (section 4.2.5.2).
constexpr int32_t kGlobalTablesSpec = 0x0001;
constexpr int32_t kHasMorePages = 0x0002;
constexpr int32_t kNoMetadata = 0x0004;

// A column count or row count this large cannot fit in a 256 MB frame; it is garbage.
constexpr int32_t kMaxCount = kMaxBodyLength / 4;

void WriteQueryParameters(Writer& w, const QueryParameters& p) {
  w.write_short(static_cast<uint16_t>(p.consistency));
  uint8_t flags = 0;
  if (!p.values.empty()) flags |= kQueryValues;
  if (p.page_size > 0) flags |= kQueryPageSize;
  if (p.paging_state) flags |= kQueryPagingState;
  w.write_byte(flags);
  if (!p.values.empty()) {
    w.write_short(static_cast<uint16_t>(p.values.size()));
    for (const auto& v : p.values) w.write_value(v);
  }
  if (p.page_size > 0) w.write_int(p.page_size);
  if (p.paging_state) w.write_bytes(p.paging_state);
}

bool ReadCount(Reader& r, const char* what, int32_t* out) {
  *out = r.read_int();
  if (r.ok() && (*out < 0 || *out > kMaxCount)) {
    r.Fail(std::string(what) + " " + std::to_string(*out) + " is out of range");
  }
  return r.ok();
}

std::vector<ColumnSpec> ReadColumnSpecs(Reader& r, int32_t flags, int32_t count) {
  std::vector<ColumnSpec> columns;
  std::string global_ks, global_table;
  if (flags & kGlobalTablesSpec) {
    global_ks = r.read_string();
    global_table = r.read_string();
  }
  for (int32_t i = 0; i < count && r.ok(); ++i) {
    ColumnSpec c;
    if (flags & kGlobalTablesSpec) {
      c.keyspace = global_ks;
      c.table = global_table;
    } else {
      c.keyspace = r.read_string();
      c.table = r.read_string();
    }
    c.name = r.read_string();
    c.type = ReadColumnType(r);
    columns.push_back(std::move(c));
  }
  return columns;
}

RowsMetadata ReadRowsMetadata(Reader& r) {
  RowsMetadata m;
  m.flags = r.read_int();
  if (!ReadCount(r, "column count", &m.column_count)) return m;
  if (m.flags & kHasMorePages) m.paging_state = r.read_bytes();
  if (!(m.flags & kNoMetadata)) m.columns = ReadColumnSpecs(r, m.flags, m.column_count);
  return m;
}

SchemaChange ReadSchemaChange(Reader& r) {
  SchemaChange s;
  s.change_type = r.read_string();
  s.target = r.read_string();
  s.keyspace = r.read_string();
  if (s.target != "KEYSPACE") s.name = r.read_string();
  if (s.target == "FUNCTION" || s.target == "AGGREGATE") s.argument_types = r.read_string_list();
  return s;
}

}  // namespace

std::string EncodeStartup() {
  Writer w;
  w.write_string_map({{"CQL_VERSION", "3.0.0"}});
  return w.take();
}

std::string EncodePlainAuthResponse(std::string_view user, std::string_view password) {
  std::string token;
  token += '\0';
  token += user;
  token += '\0';
  token += password;
  Writer w;
  w.write_bytes(token);
  return w.take();
}

std::string EncodeQuery(std::string_view cql, const QueryParameters& params) {
  Writer w;
  w.write_long_string(cql);
  WriteQueryParameters(w, params);
  return w.take();
}

std::string EncodePrepare(std::string_view cql) {
  Writer w;
  w.write_long_string(cql);
  return w.take();
}

std::string EncodeExecute(std::string_view prepared_id, const QueryParameters& params) {
  Writer w;
  w.write_short_bytes(prepared_id);
  WriteQueryParameters(w, params);
  return w.take();
}

Result<std::string_view> StripResponseExtras(uint8_t flags, std::string_view body,
                                             ResponseExtras* extras) {
  Reader r(body, "response prefix");
  if (flags & kFlagTracing) extras->tracing_id = r.read_uuid();
  if (flags & kFlagWarning) extras->warnings = r.read_string_list();
  if (flags & kFlagCustomPayload) {
    uint16_t n = r.read_short();
    for (uint16_t i = 0; i < n && r.ok(); ++i) {
      r.read_string();
      r.read_bytes();
    }
  }
  if (!r.ok()) return r.status();
  return body.substr(r.offset());
}

Result<ResultMessage> DecodeResult(std::string_view body) {
  Reader r(body, "RESULT body");
  ResultMessage m;
  int32_t kind = r.read_int();
  if (!r.ok()) return r.status();
  switch (kind) {
    case static_cast<int32_t>(ResultKind::kVoid):
      m.kind = ResultKind::kVoid;
      break;
    case static_cast<int32_t>(ResultKind::kRows): {
      m.kind = ResultKind::kRows;
      m.metadata = ReadRowsMetadata(r);
      int32_t row_count = 0;
      if (!ReadCount(r, "row count", &row_count)) break;
      // Each value takes at least 4 bytes: a count beyond what is left is a broken frame,
      // caught here before reserving memory for it.
      size_t cells = static_cast<size_t>(row_count) *
                     static_cast<size_t>(std::max(m.metadata.column_count, int32_t{1}));
      if (cells > r.remaining() / 4) {
        r.Fail(std::to_string(row_count) + " rows of " + std::to_string(m.metadata.column_count) +
               " columns cannot fit in " + std::to_string(r.remaining()) + " bytes");
        break;
      }
      m.rows.reserve(static_cast<size_t>(row_count));
      for (int32_t i = 0; i < row_count && r.ok(); ++i) {
        Row row;
        row.reserve(static_cast<size_t>(m.metadata.column_count));
        for (int32_t c = 0; c < m.metadata.column_count && r.ok(); ++c)
          row.push_back(r.read_bytes());
        m.rows.push_back(std::move(row));
      }
      break;
    }
    case static_cast<int32_t>(ResultKind::kSetKeyspace):
      m.kind = ResultKind::kSetKeyspace;
      m.keyspace = r.read_string();
      break;
    case static_cast<int32_t>(ResultKind::kPrepared): {
      m.kind = ResultKind::kPrepared;
      m.prepared.id = r.read_short_bytes();
      int32_t flags = r.read_int();
      int32_t count = 0, pk_count = 0;
      if (!ReadCount(r, "bind marker count", &count)) break;
      if (!ReadCount(r, "partition key count", &pk_count)) break;
      for (int32_t i = 0; i < pk_count && r.ok(); ++i)
        m.prepared.pk_indexes.push_back(r.read_short());
      m.prepared.bind_columns = ReadColumnSpecs(r, flags, count);
      m.prepared.result_metadata = ReadRowsMetadata(r);
      break;
    }
    case static_cast<int32_t>(ResultKind::kSchemaChange):
      m.kind = ResultKind::kSchemaChange;
      m.schema_change = ReadSchemaChange(r);
      break;
    default:
      r.Fail("unknown result kind " + std::to_string(kind));
  }
  if (!r.ok()) return r.status();
  return m;
}

const char* ErrorCodeName(ErrorCode code) {
  switch (code) {
    case ErrorCode::kServerError:
      return "server error";
    case ErrorCode::kProtocolError:
      return "protocol error";
    case ErrorCode::kAuthenticationError:
      return "authentication error";
    case ErrorCode::kUnavailable:
      return "unavailable";
    case ErrorCode::kOverloaded:
      return "overloaded";
    case ErrorCode::kIsBootstrapping:
      return "is bootstrapping";
    case ErrorCode::kTruncateError:
      return "truncate error";
    case ErrorCode::kWriteTimeout:
      return "write timeout";
    case ErrorCode::kReadTimeout:
      return "read timeout";
    case ErrorCode::kReadFailure:
      return "read failure";
    case ErrorCode::kFunctionFailure:
      return "function failure";
    case ErrorCode::kWriteFailure:
      return "write failure";
    case ErrorCode::kSyntaxError:
      return "syntax error";
    case ErrorCode::kUnauthorized:
      return "unauthorized";
    case ErrorCode::kInvalid:
      return "invalid query";
    case ErrorCode::kConfigError:
      return "config error";
    case ErrorCode::kAlreadyExists:
      return "already exists";
    case ErrorCode::kUnprepared:
      return "unprepared";
  }
  return "unknown error";
}

Result<ErrorMessage> DecodeError(std::string_view body) {
  Reader r(body, "ERROR body");
  ErrorMessage e;
  e.code = static_cast<ErrorCode>(r.read_int());
  e.message = r.read_string();
  switch (e.code) {
    case ErrorCode::kUnavailable:
      e.consistency = static_cast<Consistency>(r.read_short());
      e.block_for = r.read_int();
      e.alive = r.read_int();
      break;
    case ErrorCode::kWriteTimeout:
      e.consistency = static_cast<Consistency>(r.read_short());
      e.received = r.read_int();
      e.block_for = r.read_int();
      e.write_type = r.read_string();
      break;
    case ErrorCode::kReadTimeout:
      e.consistency = static_cast<Consistency>(r.read_short());
      e.received = r.read_int();
      e.block_for = r.read_int();
      r.read_byte();  // data_present
      break;
    case ErrorCode::kReadFailure:
      e.consistency = static_cast<Consistency>(r.read_short());
      e.received = r.read_int();
      e.block_for = r.read_int();
      r.read_int();   // numfailures
      r.read_byte();  // data_present
      break;
    case ErrorCode::kWriteFailure:
      e.consistency = static_cast<Consistency>(r.read_short());
      e.received = r.read_int();
      e.block_for = r.read_int();
      r.read_int();  // numfailures
      e.write_type = r.read_string();
      break;
    case ErrorCode::kFunctionFailure:
      e.keyspace = r.read_string();
      e.table = r.read_string();  // the function's name
      r.read_string_list();
      break;
    case ErrorCode::kAlreadyExists:
      e.keyspace = r.read_string();
      e.table = r.read_string();
      break;
    case ErrorCode::kUnprepared:
      e.unprepared_id = r.read_short_bytes();
      break;
    default:
      break;
  }
  if (!r.ok()) return r.status();
  return e;
}

Status ErrorMessage::ToStatus(std::string_view where) const {
  std::string text = std::string(where) + ": " + ErrorCodeName(code) + ": " + message;
  switch (code) {
    case ErrorCode::kUnavailable:
      text += " (consistency " + std::string(ConsistencyName(*consistency)) + " needs " +
              std::to_string(block_for) + " replicas, " + std::to_string(alive) + " alive)";
      return Status::Unavailable(text);
    case ErrorCode::kWriteTimeout:
    case ErrorCode::kReadTimeout:
      text += " (" + std::to_string(received) + " of " + std::to_string(block_for) +
              " replicas answered)";
      return Status::Unavailable(text);
    case ErrorCode::kOverloaded:
    case ErrorCode::kIsBootstrapping:
    case ErrorCode::kTruncateError:
      return Status::Unavailable(text);
    case ErrorCode::kSyntaxError:
    case ErrorCode::kUnauthorized:
    case ErrorCode::kInvalid:
    case ErrorCode::kConfigError:
    case ErrorCode::kAlreadyExists:
    case ErrorCode::kAuthenticationError:
    case ErrorCode::kFunctionFailure:
      return Status::InvalidArgument(text);
    default:
      return Status::Internal(text);
  }
}

Result<std::string> DecodeAuthenticate(std::string_view body) {
  Reader r(body, "AUTHENTICATE body");
  std::string name = r.read_string();
  if (!r.ok()) return r.status();
  return name;
}

Result<std::map<std::string, std::vector<std::string>>> DecodeSupported(std::string_view body) {
  Reader r(body, "SUPPORTED body");
  auto m = r.read_string_multimap();
  if (!r.ok()) return r.status();
  return m;
}

}  // namespace shopstream::cassandra
