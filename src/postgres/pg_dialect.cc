#include "postgres/pg_dialect.h"

namespace shopstream::postgres {

std::string PostgresDialect::TypeName(sql::ColumnType type, int width) const {
  switch (type) {
    case sql::ColumnType::kVarchar:
      return "varchar(" + std::to_string(width) + ")";
    case sql::ColumnType::kText:
      return "text";
    case sql::ColumnType::kBigInt:
      return "bigint";
    case sql::ColumnType::kInt:
      return "integer";
    case sql::ColumnType::kDouble:
      return "double precision";
    case sql::ColumnType::kFloat:
      return "real";
    case sql::ColumnType::kDatetime:
      return "timestamp(0)";
    case sql::ColumnType::kBlob:
      break;
  }
  return "bytea";
}

std::string PostgresDialect::Quote(std::string_view identifier) const {
  std::string quoted = "\"";
  for (char c : identifier) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  return quoted + "\"";
}

std::string PostgresDialect::OnConflictClause(std::string_view table,
                                              std::span<const std::string_view> key,
                                              std::span<const sql::ColumnUpdate> updates) const {
  std::string sql = " ON CONFLICT (";
  for (size_t i = 0; i < key.size(); ++i) sql += (i > 0 ? ", " : "") + Quote(key[i]);
  if (updates.empty()) return sql + ") DO NOTHING";
  sql += ") DO UPDATE SET ";
  const std::string t = Quote(table);
  for (size_t i = 0; i < updates.size(); ++i) {
    const std::string c = Quote(updates[i].column);
    if (i > 0) sql += ", ";
    switch (updates[i].how) {
      case sql::OnConflict::kAdd:
        sql += c + " = " + t + "." + c + " + EXCLUDED." + c;
        break;
      case sql::OnConflict::kReplace:
        sql += c + " = EXCLUDED." + c;
        break;
      case sql::OnConflict::kMax:
        sql += c + " = GREATEST(" + t + "." + c + ", EXCLUDED." + c + ")";
        break;
    }
  }
  return sql;
}

Result<std::string> PostgresDialect::BlobBytes(std::string fetched) const {
  auto digit = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  if (fetched.size() < 2 || fetched[0] != '\\' || fetched[1] != 'x' || fetched.size() % 2 != 0) {
    return Status::Corruption("a bytea value not in hex form");
  }
  std::string bytes((fetched.size() - 2) / 2, '\0');
  for (size_t i = 0; i < bytes.size(); ++i) {
    const int hi = digit(fetched[2 + 2 * i]), lo = digit(fetched[3 + 2 * i]);
    if (hi < 0 || lo < 0) return Status::Corruption("a bytea value not in hex form");
    bytes[i] = static_cast<char>(hi * 16 + lo);
  }
  return bytes;
}

}  // namespace shopstream::postgres
