#include "sqlite/sqlite_dialect.h"

namespace shopstream::sqlite {

std::string SqliteDialect::TypeName(sql::ColumnType type, int) const {
  switch (type) {
    case sql::ColumnType::kBigInt:
    case sql::ColumnType::kInt:
      return "INTEGER";
    case sql::ColumnType::kDouble:
    case sql::ColumnType::kFloat:
      return "REAL";
    case sql::ColumnType::kBlob:
      return "BLOB";
    case sql::ColumnType::kVarchar:
    case sql::ColumnType::kText:
    case sql::ColumnType::kDatetime:
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
                                            std::span<const sql::ColumnUpdate> updates) const {
  std::string sql = " ON CONFLICT(";
  for (size_t i = 0; i < key.size(); ++i) sql += (i > 0 ? ", " : "") + Quote(key[i]);
  if (updates.empty()) return sql + ") DO NOTHING";
  sql += ") DO UPDATE SET ";
  for (size_t i = 0; i < updates.size(); ++i) {
    const std::string c = Quote(updates[i].column);
    if (i > 0) sql += ", ";
    switch (updates[i].how) {
      case sql::OnConflict::kAdd:
        sql += c + " = " + c + " + excluded." + c;
        break;
      case sql::OnConflict::kReplace:
        sql += c + " = excluded." + c;
        break;
      case sql::OnConflict::kMax:
        sql += c + " = max(" + c + ", excluded." + c + ")";
        break;
    }
  }
  return sql;
}

}  // namespace shopstream::sqlite
