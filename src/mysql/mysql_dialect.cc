#include "mysql/mysql_dialect.h"

namespace shopstream::mysql {

std::string MysqlDialect::TypeName(sql::ColumnType type, int width) const {
  switch (type) {
    case sql::ColumnType::kVarchar:
      return "VARCHAR(" + std::to_string(width) + ")";
    case sql::ColumnType::kText:
      return "TEXT";
    case sql::ColumnType::kBigInt:
      return "BIGINT";
    case sql::ColumnType::kInt:
      return "INT";
    case sql::ColumnType::kDouble:
      return "DOUBLE";
    case sql::ColumnType::kFloat:
      return "FLOAT";
    case sql::ColumnType::kDatetime:
      return "DATETIME";
    case sql::ColumnType::kBlob:
      break;
  }
  return "MEDIUMBLOB";
}

std::string MysqlDialect::Quote(std::string_view identifier) const {
  std::string quoted = "`";
  for (char c : identifier) {
    if (c == '`') quoted += '`';
    quoted += c;
  }
  return quoted + "`";
}

std::string MysqlDialect::OnConflictClause(std::string_view, std::span<const std::string_view> key,
                                           std::span<const sql::ColumnUpdate> updates) const {
  std::string sql = " ON DUPLICATE KEY UPDATE ";
  if (updates.empty()) {  // keep the stored row: a no-op update, not INSERT IGNORE (which
                          // would turn every error into a warning)
    const std::string c = Quote(key.front());
    return sql + c + " = " + c;
  }
  for (size_t i = 0; i < updates.size(); ++i) {
    const std::string c = Quote(updates[i].column);
    if (i > 0) sql += ", ";
    switch (updates[i].how) {
      case sql::OnConflict::kAdd:
        sql += c + " = " + c + " + VALUES(" + c + ")";
        break;
      case sql::OnConflict::kReplace:
        sql += c + " = VALUES(" + c + ")";
        break;
      case sql::OnConflict::kMax:
        sql += c + " = GREATEST(" + c + ", VALUES(" + c + "))";
        break;
    }
  }
  return sql;
}

}  // namespace shopstream::mysql
