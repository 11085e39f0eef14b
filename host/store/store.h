// The store: one database connection serving every role (agent directory, login ledger, usage
// ledger, command mailbox, reports; billing's account book and catalog), opened from the
// setting that names it. Services take the roles they use; each thread that needs the database
// opens its own connection with open_store.
//
// Several connections may be open on one database at once, in one process or several (on one
// host for SQLite, on any for PostgreSQL); the database serialises their writes.
#pragma once

#include <memory>
#include <string>

#include "host/store/account_book.h"
#include "host/store/active_sessions.h"
#include "host/settlement/raw_from_roaming.h"
#include "host/store/agent_directory.h"
#include "host/store/authorisation_ledger.h"
#include "host/store/billing_catalog.h"
#include "host/store/command_mailbox.h"
#include "host/store/feed_outbox.h"
#include "host/store/login_ledger.h"
#include "host/store/radius_ledger.h"
#include "host/store/session_sweep.h"
#include "host/store/settlement_ledger.h"
#include "host/store/usage_ledger.h"
#include "host/store/usage_reports.h"

namespace gm::host {

class Store : public AgentDirectory,
              public LoginLedger,
              public UsageLedger,
              public CommandMailbox,
              public UsageReports {
 public:
  virtual ~Store() = default;
  // The schema version the database is at (SCHEMA.md); opening migrates it forward.
  virtual int schema_version() = 0;
  // Whether one write transaction at a time holds the whole database (SQLite): a second
  // writing thread would only wait for the first.
  virtual bool serialised_writers() const = 0;
  // Billing's roles, on the same connection (billing_tables.h).
  virtual AccountBook& account_book() = 0;
  virtual BillingCatalog& catalog() = 0;
  virtual AuthorisationLedger& authorisations() = 0;
  virtual FeedOutbox& feed() = 0;
  // The billing service's sweep: stale sessions, lost carrier, low balance (sweep_tables.h).
  virtual SessionSweep& sweep() = 0;
  // The service manager's paged read of open sessions (active_sessions.h).
  virtual ActiveSessions& active_sessions() = 0;
  // The RADIUS accounting server's NAS agents and session names (radius_ledger.h).
  virtual RadiusLedger& radius() = 0;
  // Settlement's directory, raw records and history (settlement_ledger.h).
  virtual SettlementLedger& settlement() = 0;
};

struct StoreOptions {
  // This connection commits continuously (the census's committer). SQLite then copies its
  // write-ahead log back from a thread of its own, so no commit waits for a checkpoint.
  bool busy_writer = false;
  // SQLite maps the database file into memory, which speeds random reads but counts every page
  // read as resident. A batch job over a whole large database (settlectl's close) turns it off,
  // so its memory stays bounded by the page cache (sqlite_store.h). No effect on PostgreSQL.
  bool map_file = true;
  // SQLite's page cache of this connection; 0: sqlite_page_cache_bytes. A connection that only
  // reads a table once, in order (a close's read-ahead), needs little.
  int64_t page_cache_bytes = 0;
  // Ended roaming sessions kept as raw settlement records, in the transaction that ends each
  // (roaming_keeper.h): set by the services that end sessions (census, billing's sweep, login)
  // from census_settlement*. The zone is loaded at open (BillingError naming it).
  settlement::RoamingSettlement roaming = {};
};

// spec: "sqlite:PATH" (PATH may be a SQLite URI, "file:...?..."), "postgresql:CONNINFO" (a
// libpq connection string or URI), or a plain file path (SQLite). Creates or migrates the
// schema. Throws StoreError naming the store (never its password) and why.
std::unique_ptr<Store> open_store(const std::string& spec, StoreOptions options = {});

// The store spec with any password in it replaced by "***", for logs and errors.
std::string describe_store(const std::string& spec);

}  // namespace gm::host
