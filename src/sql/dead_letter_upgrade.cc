#include "sql/dead_letter_upgrade.h"

#include <set>
#include <vector>

#include "common/log.h"
#include "event/contract.h"
#include "sql/schema.h"

namespace shopstream::sql {
namespace {

Result<std::set<std::string>> ColumnsOf(SqlConnection& conn, const Dialect& d,
                                        const std::string& table) {
  auto statement = conn.Prepare(d.ColumnsQuery(), "listing the store's tables");
  if (!statement.ok()) return statement.status();
  auto rows = (*statement)->Query({});
  if (!rows.ok()) return rows.status();
  std::set<std::string> out;
  for (const SqlRow& row : *rows) {
    if (row.size() >= 2 && row[0] && row[1] && *row[0] == table) out.insert(*row[1]);
  }
  return out;
}

}  // namespace

Result<bool> DeadLettersNeedUpgrade(SqlConnection& conn, const Dialect& d,
                                    const std::string& table) {
  auto columns = ColumnsOf(conn, d, table);
  if (!columns.ok()) return columns.status();
  for (const Column& c : DeadLettersTable().columns) {
    if (!columns->contains(std::string(c.name))) return true;
  }
  return false;
}

std::string DeadLettersUpgradeAdvice(const std::string& store, const std::string& table) {
  return store + ": the table " + table +
         " was made before dead letter codes; `shopstream process` into this store, or "
         "`shopstream deadletters --store URI list`, adds them in place";
}

Status UpgradeDeadLetters(SqlConnection& conn, const Dialect& d, const std::string& table) {
  auto columns = ColumnsOf(conn, d, table);
  if (!columns.ok()) return columns.status();
  for (const Column& c : DeadLettersTable().columns) {
    if (columns->contains(std::string(c.name))) continue;
    LogInfo(table + ": adding the column " + std::string(c.name) + " (dead letter codes)");
    if (Status s = conn.Exec("ALTER TABLE " + d.Quote(table) + " ADD COLUMN " + d.Quote(c.name) +
                                 " " + d.TypeName(c.type, c.width),
                             "adding " + std::string(c.name) + " to " + table);
        !s.ok()) {
      return s;
    }
  }
  // Rows without a code: written before the columns existed, or by an older shopstream since.
  const std::string quoted = d.Quote(table);
  const std::string key = "stream = " + d.Placeholder(3) + " AND " + d.Quote("partition") + " = " +
                          d.Placeholder(4) + " AND " + d.Quote("offset") + " = " + d.Placeholder(5);
  auto old = conn.Prepare("SELECT stream, " + d.Quote("partition") + ", " + d.Quote("offset") +
                              ", reason FROM " + quoted + " WHERE code IS NULL",
                          "reading dead letters without a code");
  if (!old.ok()) return old.status();
  auto rows = (*old)->Query({});
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return Status::Ok();
  auto update = conn.Prepare("UPDATE " + quoted + " SET code = " + d.Placeholder(0) +
                                 ", field = " + d.Placeholder(1) + ", state = " + d.Placeholder(2) +
                                 ", replays = 0 WHERE " + key,
                             "giving old dead letters a code");
  if (!update.ok()) return update.status();
  for (const SqlRow& row : *rows) {
    const ReasonCode code = CodeOfReason(row.at(3).value_or(""));
    const SqlValue values[] = {
        std::string_view(code.code),
        code.field.empty() ? SqlValue() : SqlValue(std::string_view(code.field)),
        kOpen,
        std::string_view(*row.at(0)),
        int64_t{std::stoll(row.at(1).value_or("0"))},
        int64_t{std::stoll(row.at(2).value_or("0"))}};
    if (Status s = (*update)->Execute(values); !s.ok()) return s;
  }
  LogInfo(table + ": " + std::to_string(rows->size()) +
          " dead letters written before codes existed got theirs from their reason");
  return Status::Ok();
}

}  // namespace shopstream::sql
