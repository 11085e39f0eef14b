// The SQLite store (the embedded default). Reached through open_store("sqlite:PATH"); declared
// here for open_store alone.
#pragma once

#include <memory>
#include <string>

#include "host/store/store.h"

namespace gm::host {

std::unique_ptr<Store> open_sqlite_store(const std::string& path, StoreOptions options);

}  // namespace gm::host
