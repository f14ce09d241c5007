// The processed store's tables, described once for every SQL database: the seed's rows table,
// the rollups the dashboard reads, and the processor's own tables (offsets of record, dead
// letters, stats). Dialects turn a description into DDL (CreateTableSql).
#pragma once

#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "common/sql_value.h"
#include "event/cross_filter.h"
#include "event/people.h"
#include "event/rollup.h"
#include "sql/dialect.h"

namespace shopstream::sql {

struct Column {
  std::string_view name;
  ColumnType type;
  int width = 0;  // characters, for kVarchar
  bool not_null = false;
};

struct Table {
  std::string_view name;
  std::vector<Column> columns;
  std::vector<std::string_view> key;  // the primary key

  std::vector<std::string_view> column_names() const;
};

// The seed's `operations` table (MySQL's column for column), under the name the URI gives.
Table RowsTable(std::string_view name);

// Column widths of the seed's rows table, in characters.
inline constexpr int kIdWidth = 100;
inline constexpr int kStreamWidth = 255;

// A rollup table (event/rollup.h, event/cross_filter.h): its key columns, then events and
// revenue (a wide rollup: events, views, carts, purchases, revenue).
struct Rollup {
  // A batch's deltas, from which each rollup table takes its rows.
  using Deltas = std::tuple<const RollupDelta&, const CoarseRollupDelta&, const CrossFilterDelta&,
                            const CoarseCrossFilterDelta&>;
  // Appends the rows one batch adds to the table (RollupValuesOf).
  using ValuesFn = void (*)(const Deltas& deltas, std::vector<SqlValue>* values);

  // Every part required, so that a rollup without its values does not compile.
  Rollup(Table table, std::string backfill_sql, ValuesFn values)
      : table(std::move(table)), backfill_sql(std::move(backfill_sql)), values(values) {}

  Table table;
  // Fills the table from finer rollups or from the rows, for a store made before the table
  // existed; empty for the fine tables, which the processor has always kept. Names the rows
  // table as {rows}, a rollup by its plain name in braces ({rollup_minute}) and the hour bucket
  // of a row as {hour}: see BackfillSql.
  std::string backfill_sql;
  ValuesFn values;
};

// Rollups this version no longer keeps, dropped when a store is opened once their successors
// are filled: the block tables with a row per event type (rollup_block_brand_wide and
// rollup_days_brand_wide replaced them).
inline constexpr std::string_view kRetiredRollups[] = {"rollup_block_brand", "rollup_days_brand"};

// The thirteen rollups in order of creation (a backfill reads tables before it).
const std::vector<Rollup>& Rollups();

class OwnedTables;
// `rollup`'s backfill in `dialect`, over the rows table and rollups of `tables`.
std::string BackfillSql(const Rollup& rollup, const Dialect& dialect, const OwnedTables& tables);

// The people tables (event/people.h), minute, hour, day and all time: scope, brand, department
// and bucket (but in people_all) as the key, then the five sketches as blobs (NULL: empty).
const std::vector<Table>& PeopleTables();
inline constexpr size_t kPeopleSketchColumns = 5;

// The dead letters' code, field and state columns, in characters.
inline constexpr int kDeadLetterCodeWidth = 40;
// A dead letter's states: kept for a replay, stored by one, or given up on after too many.
inline constexpr std::string_view kOpen = "open";
inline constexpr std::string_view kReplayed = "replayed";
inline constexpr std::string_view kQuarantined = "quarantined";

// stream_offsets, dead_letters, processor_stats.
const Table& OffsetsTable();
// people_offsets: per stream and partition, the offset below which every message's people are
// in the people tables (sketches are written back apart from the batches: see
// docs/ARCHITECTURE.md, Delivery semantics).
// Same columns as stream_offsets.
const Table& PeopleOffsetsTable();
// stream_ids: the id of the stream's incarnation the offsets belong to (a Kafka topic's id),
// one row per stream that has one.
const Table& StreamIdsTable();
const Table& DeadLettersTable();
const Table& StatsTable();
// alerts: one row per change of an alert's state (fired, resolved), keyed by rule, stream time
// and state, so that writing a change twice keeps one row.
const Table& AlertsTable();

// CREATE TABLE IF NOT EXISTS for `table` in `dialect`, ending with what the server adds
// (SqlSession::ServerTableOptions).
std::string CreateTableSql(const Table& table, std::string_view quoted_name, const Dialect& dialect,
                           std::string_view server_options);

// The values one batch adds to one rollup table, Rollups()[index]: for each of its rows, the key
// texts, events and revenue, in the table's column order, into `values` (cleared first, its
// capacity kept). Text values point into the delta they came from. One table at a time, so that
// a commit holds one table's values, never all of them at once. REQUIRES index <
// Rollups().size() (std::out_of_range otherwise: a programmer's error, never rows lost quietly).
void RollupValuesOf(size_t index, const RollupDelta& delta, const CoarseRollupDelta& coarse,
                    const CrossFilterDelta& cross, const CoarseCrossFilterDelta& cross_coarse,
                    std::vector<SqlValue>* values);

}  // namespace shopstream::sql
