// The store bench_census starts from: `agents` agents with known credentials and
// agents x per_agent subscriber sessions at seq 1 (census_plan.h), written straight through
// UsageStore::apply in transactions of 100,000 records. The sessions are closed long ago: the
// feed events of their ends are deleted as feed_retention_s deletes them (FeedOutbox::prune).
//
// Building 5 million sessions takes a while, so the finished store is cached: in
// <cache_root>/census-store-<agents>x<per_agent>-<fingerprint>/ (usage.db, vault.key, the
// agents' credentials, and a stamp written last, so a half-built cache is never used). The
// fingerprint covers the bench's own format version and the schema and page size of a store
// created by the current build: when host/store changes its tables, a new cache is built and
// the old ones beside it are removed. Each run copies the cached files into its own state
// folder (the census writes to the copy) and fsyncs the copy, so its writeback does not compete
// with the fsyncs of the phase that follows.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "host/store/credential_vault.h"

namespace gm::bench {

struct PrefilledStore {
  std::string dir;  // holds usage.db and vault.key
  uint32_t per_agent = 0;  // sessions under each agent, ids 1..per_agent
  std::vector<std::string> agent_ids;
  std::vector<host::CredentialVault::Credential> credentials;
  bool reused = false;         // taken from the cache
  double built_seconds = 0;    // how long building it took (when it was built, if reused)
  std::string built_when;      // date it was built
  uint64_t file_bytes = 0;     // usage.db
  uint64_t page_size = 0, page_count = 0;
};

// cache_root empty: build in `scratch` and cache nothing. Throws std::runtime_error.
PrefilledStore prepare_prefilled_store(const std::string& cache_root, const std::string& scratch,
                                       uint32_t agents, uint32_t per_agent);

// The prefill itself, into any store (bench_census_pg: a PostgreSQL database): the agents, with
// their credentials sealed under dir/vault.key (made there) and listed in dir/credentials, and
// their sessions, through UsageStore::apply in transactions of 100,000 records. Sets
// out.agent_ids, credentials, per_agent and built_seconds. Throws.
void fill_store(const std::string& store_spec, const std::string& dir, uint32_t agents,
                uint32_t per_agent, PrefilledStore& out);

// Copies usage.db and vault.key into state_dir and fsyncs them; returns the seconds it took.
double copy_prefilled_store(const PrefilledStore& from, const std::string& state_dir);

}  // namespace gm::bench
