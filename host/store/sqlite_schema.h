// The SQLite store's schema, as numbered forward migrations (SCHEMA.md describes the tables).
#pragma once

#include <sqlite3.h>

namespace gm::host::sqlite {

// The version this build writes.
int latest_schema_version();

// Brings the database to latest_schema_version() in one transaction per step (a crash between
// steps leaves a database at a known version, which the next open continues from). Refuses a
// database at a newer version than this build knows. Returns the version. Throws StoreError.
int migrate_schema(sqlite3* db);

}  // namespace gm::host::sqlite
