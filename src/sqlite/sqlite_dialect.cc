#include "store/sqlite/sqlite_dialect.h"

namespace shopstream::sql {

std::string SqliteDialect::TypeName(ColumnType type, int) const {
  switch (type) {
    case ColumnType::kBigInt:
    case ColumnType::kInt:
      return "INTEGER";
    case ColumnType::kDouble:
    case ColumnType::kFloat:
      return "REAL";
    case ColumnType::kBlob:
      return "BLOB";
    case ColumnType::kVarchar:
    case ColumnType::kText:
    case ColumnType::kDatetime:
      break;
  }
  return "TEXT";
}

std::string SqliteDialect::Quote(std::string_view identifier) const {
  std::string quoted = "\"";
  for (char c : identifier) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  return quoted + "\"";
}

std::string SqliteDialect::OnConflictClause(std::string_view, std::span<const std::string_view> key,
                                            std::span<const ColumnUpdate> updates) const {
  std::string sql = " ON CONFLICT(";
  for (size_t i = 0; i < key.size(); ++i) sql += (i > 0 ? ", " : "") + Quote(key[i]);
  if (updates.empty()) return sql + ") DO NOTHING";
  sql += ") DO UPDATE SET ";
  for (size_t i = 0; i < updates.size(); ++i) {
    const std::string c = Quote(updates[i].column);
    if (i > 0) sql += ", ";
    switch (updates[i].how) {
      case OnConflict::kAdd:
        sql += c + " = " + c + " + excluded." + c;
        break;
      case OnConflict::kReplace:
        sql += c + " = excluded." + c;
        break;
      case OnConflict::kMax:
        sql += c + " = max(" + c + ", excluded." + c + ")";
        break;
    }
  }
  return sql;
}

}  // namespace shopstream::sql
