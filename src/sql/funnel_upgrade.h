// An older store kept the funnel's open product states one row per session and product, in
// funnel_open. On start they are packed into funnel_states (one row per session, as
// FunnelWriter keeps them now) and funnel_open is dropped, inside the transaction that creates
// the tables, so that no session's state is lost or counted twice. A start cut short between
// the two (MariaDB commits before a DROP TABLE) packs the same rows again into the same values.
#pragma once

#include "common/status.h"
#include "sql/dialect.h"
#include "sql/owned_tables.h"
#include "sql/sql_connection.h"

namespace shopstream::sql {

Status MoveLegacyFunnelStates(SqlConnection& conn, const Dialect& d, const OwnedTables& owned);

}  // namespace shopstream::sql
