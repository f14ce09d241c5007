// Values bound to SQL placeholders and rows read back, shared by the database clients
// (src/sqlite, src/mysql, src/postgres) and the SQL store core (src/sql): every value
// travels apart from the SQL text, never spliced into it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace shopstream {

// Bytes for a binary column (BLOB, MEDIUMBLOB, bytea), as opposed to text.
struct SqlBlob {
  std::string_view bytes;
};

// NULL, an integer, a double, text or bytes. Views must outlive the statement's execution.
using SqlValue = std::variant<std::monostate, int64_t, double, std::string_view, SqlBlob>;

// A fetched row: each column as text (numbers in their decimal form), nullopt for NULL.
using SqlRow = std::vector<std::optional<std::string>>;

}  // namespace shopstream
