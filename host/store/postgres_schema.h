// The PostgreSQL store's schema, as numbered forward migrations (SCHEMA.md describes the tables;
// a version means the same tables and rules as the SQLite store's version of that number).
#pragma once

#include "host/store/pg_connection.h"

namespace gm::host::pg {

// The version this build writes.
int latest_schema_version();

// Brings the database to latest_schema_version() in one transaction per step, each under a
// transaction-scoped advisory lock, so several nodes starting at once migrate it once, one after
// the other. Refuses a database at a newer version than this build knows. Returns the version.
// Throws StoreError.
int migrate_schema(Connection& db);

}  // namespace gm::host::pg
