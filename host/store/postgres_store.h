// The PostgreSQL store (several census nodes on several hosts). Reached through
// open_store("postgresql:CONNINFO"); declared here for open_store alone.
#pragma once

#include <memory>
#include <string>

#include "host/store/store.h"

namespace gm::host {

// conninfo: a libpq connection string ("host=db1 dbname=gm") or URI ("postgresql://db1/gm").
std::unique_ptr<Store> open_postgres_store(const std::string& conninfo, StoreOptions options);

}  // namespace gm::host
