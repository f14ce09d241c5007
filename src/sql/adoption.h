// Stores made before processed tables owned their side tables (owned_tables.h) kept one set of
// side tables under the plain names, shared by every rows table of the database. On a
// processor's start such a set is handed to the one rows table it served, in place: renamed
// to that table's names, stream_offsets last, so that a start interrupted half-way (kill -9,
// or MariaDB's DDL that commits each rename) finishes the job the next time, and a finished
// one is never done again. When the set served several rows tables their figures cannot be
// told apart, and a processor of any of them refuses to start instead of guessing.
#pragma once

#include <string>

#include "common/status.h"
#include "sql/dialect.h"
#include "sql/owned_tables.h"
#include "sql/sql_connection.h"

namespace shopstream::sql {

// Run inside the transaction that creates `tables`, after the dialect's SchemaLock. `store`
// names the store in messages.
Status AdoptSharedTables(SqlConnection& conn, const Dialect& d, const OwnedTables& tables,
                         const std::string& store);

}  // namespace shopstream::sql
