#include "sql/funnel_tables.h"

namespace shopstream::sql {
namespace {

Column BigInt(std::string_view name) { return {name, ColumnType::kBigInt, 0, true}; }
Column Int(std::string_view name) { return {name, ColumnType::kInt, 0, true}; }

}  // namespace

const std::vector<Table>& FunnelTables() {
  static const std::vector<Table> tables = {
      {"funnel_hour",
       {{"bucket", ColumnType::kVarchar, 13, true},
        Int("window_minutes"),
        BigInt("viewed"),
        BigInt("carted"),
        BigInt("bought")},
       {"bucket", "window_minutes"}},
      {"funnel_delay_hour",
       {{"bucket", ColumnType::kVarchar, 13, true},
        Int("window_minutes"),
        Int("delay_seconds"),
        BigInt("sessions")},
       {"bucket", "window_minutes", "delay_seconds"}},
      {"funnel_sessions",
       {BigInt("session_key"), BigInt("last_time"), Int("reached")},
       {"session_key"}},
      {"funnel_states",
       {BigInt("session_key"), BigInt("last_time"), {"products", ColumnType::kBlob}},
       {"session_key"}},
      {"funnel_clock", {Int("id"), BigInt("newest")}, {"id"}},
  };
  return tables;
}

}  // namespace shopstream::sql
