#include "tests/bench/prefilled_store.h"

#include <fcntl.h>
#include <signal.h>
#include <sqlite3.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>

#include "host/store/store.h"
#include "tests/bench/census_plan.h"

namespace gm::bench {

namespace fs = std::filesystem;

namespace {

// Bump when what the prefill writes changes (census_plan.h's records, the agents' names).
// 2: the feed's events deleted as retention deletes them.
constexpr int prefill_format = 2;
constexpr size_t prefill_batch = 100'000;

// Reads one value per row of `sql` from a database opened read-only, joined with '\n'.
std::string query(const std::string& path, const char* sql) {
  sqlite3* db = nullptr;
  // immutable: reads the file as it is, leaving no -wal or -shm beside a cached store.
  const std::string uri = "file:" + path + "?immutable=1";
  if (sqlite3_open_v2(uri.c_str(), &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, nullptr) !=
      SQLITE_OK) {
    sqlite3_close(db);
    throw std::runtime_error("prefill: cannot open " + path);
  }
  sqlite3_stmt* s = nullptr;
  std::string out;
  if (sqlite3_prepare_v2(db, sql, -1, &s, nullptr) == SQLITE_OK)
    while (sqlite3_step(s) == SQLITE_ROW) {
      const auto* t = sqlite3_column_text(s, 0);
      out += t ? reinterpret_cast<const char*>(t) : "";
      out += '\n';
    }
  sqlite3_finalize(s);
  sqlite3_close(db);
  return out;
}

// The schema and page size a store made by this build has: a cache from another schema is
// not used.
std::string fingerprint(const std::string& scratch) {
  const std::string probe = scratch + "/fingerprint.db";
  fs::remove(probe);
  host::open_store(probe);  // creates the schema and closes
  const std::string schema =
      query(probe, "SELECT type || ' ' || name || ' ' || coalesce(sql, '') FROM sqlite_master "
                   "ORDER BY type, name") +
      query(probe, "PRAGMA page_size") + "format " + std::to_string(prefill_format);
  for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(probe + suffix);
  uint64_t h = 1469598103934665603ull;  // FNV-1a: stable across builds, unlike std::hash
  for (unsigned char c : schema) h = (h ^ c) * 1099511628211ull;
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(h));
  return hex;
}

// A store that has run for a while: its sessions ended long ago, and the feed events of their
// ends were delivered and deleted after feed_retention_s (FeedOutbox::prune), as a billing
// service does. Deleting after each batch lets the next batch reuse the pages.
void apply_and_age(host::Store& store, std::vector<host::VerifiedRecord>& batch) {
  const int64_t now = std::time(nullptr);
  store.apply(batch, {}, now);
  while (store.feed().prune(now + 1, now + 1, prefill_batch) != 0) {
  }
  batch.clear();
}

}  // namespace

void fill_store(const std::string& store_spec, const std::string& dir, uint32_t agents,
                uint32_t per_agent, PrefilledStore& out) {
  const auto t0 = std::chrono::steady_clock::now();
  const auto vault = host::CredentialVault::open_or_create(dir + "/vault.key");
  auto store = host::open_store(store_spec);
  std::vector<int64_t> ids(agents);
  std::ofstream creds(dir + "/credentials");
  for (uint32_t a = 0; a < agents; ++a) {
    const std::string id = "bench-" + std::to_string(a);
    const auto c = host::CredentialVault::generate();
    if (!store->add_agent(id, vault.seal(c, id), std::time(nullptr)))
      throw std::runtime_error("prefill: agent " + id + " exists already");
    ids[a] = store->find_agent(id)->id;
    out.agent_ids.push_back(id);
    out.credentials.push_back(c);
    creds << id << ' ' << host::to_hex(c.data(), c.size()) << '\n';
  }
  creds.close();
  // Closed sessions (STOP): a login closes its agent's *open* sessions, which for 5 million
  // of them would be a 5-million-row update at every login of the run.
  std::vector<host::VerifiedRecord> batch;
  batch.reserve(prefill_batch);
  for (uint32_t a = 0; a < agents; ++a)
    for (uint32_t l = 0; l < per_agent; ++l) {
      host::VerifiedRecord& v = batch.emplace_back();
      v.agent = ids[a];
      from_wire(wire_record(SessionPlan::session_id(l), 1, gatemeter_RecordKind_RECORD_STOP),
                v.record);
      if (batch.size() == prefill_batch) apply_and_age(*store, batch);
    }
  if (!batch.empty()) apply_and_age(*store, batch);
  store.reset();  // SQLite: the last connection checkpoints the log into usage.db and removes it
  out.per_agent = per_agent;
  out.built_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

namespace {

void build(const std::string& dir, uint32_t agents, uint32_t per_agent, PrefilledStore& out) {
  fs::remove_all(dir);
  fs::create_directories(dir);
  fill_store(dir + "/usage.db", dir, agents, per_agent, out);
  const std::time_t now = std::time(nullptr);
  char when[32];
  std::strftime(when, sizeof when, "%Y-%m-%d %H:%M", std::localtime(&now));
  out.built_when = when;
  // Written last: its presence says the folder is complete.
  std::ofstream(dir + "/stamp") << out.built_seconds << '\n' << out.built_when << '\n';
}

bool load(const std::string& dir, uint32_t agents, PrefilledStore& out) {
  std::ifstream stamp(dir + "/stamp");
  if (!stamp || !(stamp >> out.built_seconds)) return false;
  stamp >> std::ws;
  std::getline(stamp, out.built_when);
  std::ifstream creds(dir + "/credentials");
  std::string id, hex;
  while (creds >> id >> hex) {
    const auto bytes = host::from_hex(hex);
    host::CredentialVault::Credential c{};
    if (!bytes || bytes->size() != c.size()) return false;
    std::copy(bytes->begin(), bytes->end(), c.begin());
    out.agent_ids.push_back(id);
    out.credentials.push_back(c);
  }
  return out.agent_ids.size() == agents && fs::exists(dir + "/usage.db");
}

void fsync_path(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw std::runtime_error("prefill: cannot open " + path);
  ::fsync(fd);
  ::close(fd);
}

}  // namespace

PrefilledStore prepare_prefilled_store(const std::string& cache_root, const std::string& scratch,
                                       uint32_t agents, uint32_t per_agent) {
  PrefilledStore out;
  if (cache_root.empty()) {
    out.dir = scratch + "/prefill";
    build(out.dir, agents, per_agent, out);
  } else {
    fs::create_directories(cache_root);
    const std::string prefix = "census-store-";
    const std::string name = prefix + std::to_string(agents) + "x" + std::to_string(per_agent) +
                             "-" + fingerprint(scratch);
    out.dir = cache_root + "/" + name;
    // Caches of other schemas or sizes, and builds whose process is gone, are removed.
    for (const auto& e : fs::directory_iterator(cache_root)) {
      const std::string n = e.path().filename().string();
      if (n.rfind(prefix, 0) != 0 || n == name) continue;
      const auto building = n.find(".building-");
      if (building != std::string::npos &&
          ::kill(static_cast<pid_t>(std::strtol(n.c_str() + building + 10, nullptr, 10)), 0) == 0)
        continue;
      std::error_code ec;
      fs::remove_all(e.path(), ec);
    }
    if (load(out.dir, agents, out)) {
      out.reused = true;
    } else {
      out = {};
      out.dir = cache_root + "/" + name;
      const std::string tmp = out.dir + ".building-" + std::to_string(::getpid());
      build(tmp, agents, per_agent, out);
      std::error_code ec;
      fs::remove_all(out.dir, ec);
      fs::rename(tmp, out.dir, ec);
      if (ec) throw std::runtime_error("prefill: cannot move " + tmp + " to " + out.dir);
    }
  }
  out.per_agent = per_agent;
  out.file_bytes = fs::file_size(out.dir + "/usage.db");
  out.page_size = std::stoull(query(out.dir + "/usage.db", "PRAGMA page_size"));
  out.page_count = std::stoull(query(out.dir + "/usage.db", "PRAGMA page_count"));
  return out;
}

double copy_prefilled_store(const PrefilledStore& from, const std::string& state_dir) {
  const auto t0 = std::chrono::steady_clock::now();
  fs::create_directories(state_dir);
  // The server refuses a state folder others may reach (state_folder.h); the cache is not one.
  fs::permissions(state_dir, fs::perms::owner_all);
  for (const char* f : {"/usage.db", "/vault.key"}) {
    for (const char* side : {"-wal", "-shm"}) fs::remove(state_dir + f + side);
    fs::copy_file(from.dir + f, state_dir + f, fs::copy_options::overwrite_existing);
    fs::permissions(state_dir + f, fs::perms::owner_read | fs::perms::owner_write);
    fsync_path(state_dir + f);
  }
  fsync_path(state_dir);
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace gm::bench
