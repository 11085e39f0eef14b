// The SQLite store (the embedded default). Reached through open_store("sqlite:PATH"); declared
// here for open_store alone.
#pragma once

#include <memory>
#include <string>

#include "host/store/store.h"

namespace gm::host {

std::unique_ptr<Store> open_sqlite_store(const std::string& path, StoreOptions options);

// What every connection sets (bench_census reports the store's size against them): a page
// cache of 128 MiB, and reads memory-mapped up to SQLite's own limit (SQLITE_MAX_MMAP_SIZE,
// 0x7fff0000 in Debian's build), so that the session table of millions of sessions is read
// through the kernel's page cache without a copy. Raising it from 256 MiB to 1 GiB took the
// store's ceiling over 5 million sessions (a 543 MiB file) from 229k to 308k records/s.
inline constexpr int64_t sqlite_page_cache_bytes = 128ll << 20;
inline constexpr int64_t sqlite_mmap_bytes = 0x7fff0000;

}  // namespace gm::host
