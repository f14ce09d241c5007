// Dead letters gained a code, a field and a replay state (shopstream deadletters). A store made
// before gets the columns in place, and each of its old rows the code its stored reason reads as
// (event/contract.h CodeOfReason), state 'open' and no replay. Run on every start, inside the
// transaction that creates the tables; it does nothing once done, and finishes the job after a
// start cut short half-way (MariaDB commits each ALTER TABLE on its own).
#pragma once

#include <string>

#include "common/status.h"
#include "sql/dialect.h"
#include "sql/sql_connection.h"

namespace shopstream::sql {

// `table` is the dead letters table's owned name (owned_tables.h); it exists.
Status UpgradeDeadLetters(SqlConnection& conn, const Dialect& d, const std::string& table);

// True when `table` lacks a column UpgradeDeadLetters adds: a reader that does not write first
// says so instead of failing on an unknown column.
Result<bool> DeadLettersNeedUpgrade(SqlConnection& conn, const Dialect& d,
                                    const std::string& table);

// The message for a reader that meets such a table.
std::string DeadLettersUpgradeAdvice(const std::string& store, const std::string& table);

}  // namespace shopstream::sql
